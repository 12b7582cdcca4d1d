import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { acrFromAmr, amrClaim } from '../domain/assurance.js';
import type { AccountService } from '../domain/accounts.js';
import type { AuditLog } from '../domain/audit.js';
import { parseForm } from '../http/form-body.js';
import { renderPage } from '../http/render.js';
import { finishInteraction, loadInteraction, type InteractionContext } from './context.js';
import { readField, readCheckbox } from './fields.js';

export interface PasswordLoginDeps {
  provider: Provider;
  accounts: AccountService;
  audit: AuditLog;
}

export function renderPasswordPage(ctx: Context, interaction: InteractionContext, data: { values?: Record<string, string>; errors?: Record<string, string> } = {}, status = 200) {
  const loginHint = interaction.details.params.login_hint;
  return renderPage(ctx, 'login-password', {
    uid: interaction.uid,
    clientName: interaction.clientName,
    values: { email: typeof loginHint === 'string' ? loginHint.slice(0, 254) : '', ...data.values },
    errors: data.errors ?? {},
  }, status);
}

/** POST /interaction/:uid/password — email + password (SPEC 4.1). */
export function createPasswordLogin({ provider, accounts, audit }: PasswordLoginDeps) {
  return async function submitPassword(ctx: Context): Promise<void> {
    const interaction = await loadInteraction(provider, ctx);
    const form = await parseForm(ctx);
    const email = readField(form, 'email', 254);
    const password = readField(form, 'password', 1024, { trim: false });
    const remember = readCheckbox(form, 'remember');
    const values = { email: email.value ?? '', ...(remember ? { remember: 'on' } : {}) };
    if (email.error || password.error) {
      const errors = { ...(email.error ? { email: email.error } : {}), ...(password.error ? { password: password.error } : {}) };
      return renderPasswordPage(ctx, interaction, { values, errors }, 400);
    }

    const account = await accounts.verifyPassword(email.value!, password.value!);
    if (!account || account.status !== 'active') {
      await audit.record('login.failure', { account_id: account?.id ?? null, client_id: interaction.clientId, ip: ctx.ip, detail: { method: 'password', email: email.value } });
      return renderPasswordPage(ctx, interaction, { values, errors: { password: 'invalid_credentials' } }, 401);
    }

    await audit.record('login.success', { account_id: account.id, client_id: interaction.clientId, ip: ctx.ip, detail: { method: 'password' } });
    await finishInteraction(provider, ctx, {
      login: { accountId: account.id, remember, amr: amrClaim(['pwd']), acr: acrFromAmr(['pwd']) },
    });
  };
}
