import type { Context } from 'koa';
import { parseForm } from '../http/form-body.js';
import { loadInteraction } from './context.js';
import type { InteractionDeps } from './deps.js';
import { readCheckbox, readField } from './fields.js';
import { continueFlow, passwordJourney } from './flow.js';
import { renderLoginPage } from './login-pages.js';

/** POST /interaction/:uid/password — email + password (SPEC 4.1). */
export function createPasswordLogin(deps: InteractionDeps) {
  return async function submitPassword(ctx: Context): Promise<void> {
    const interaction = await loadInteraction(deps.provider, ctx);
    const form = await parseForm(ctx);
    const email = readField(form, 'email', 254);
    const password = readField(form, 'password', 1024, { trim: false });
    const remember = readCheckbox(form, 'remember');
    const trustDevice = readCheckbox(form, 'trust');
    const values = { email: email.value ?? '', ...(remember ? { remember: 'on' } : {}), ...(trustDevice ? { trust: 'on' } : {}) };
    if (email.error || password.error) {
      const errors = { ...(email.error ? { email: email.error } : {}), ...(password.error ? { password: password.error } : {}) };
      return renderLoginPage(ctx, interaction, 'password', { values, errors }, 400);
    }

    // The per-IP limit came first (rateLimited). The locks are checked when this request's
    // turn for bcrypt has come, right before hashing: a flood that locked itself costs no
    // more hashes, and waits behind people signing in (fair lines by IP and account).
    // Unknown addresses have a stand-in subject and go the same way: locked or hashed, the
    // page and its time do not tell them apart. During a lock the page says exactly what a
    // wrong password says (SPEC 4.8) and the attempt counts.
    const account = await deps.accounts.findForSignIn(email.value!);
    const subject = deps.lockout.subjectFor(account?.id, email.value!);
    const isValid = await deps.accounts.checkPassword(account, password.value!, {
      queueKeys: [`ip:${ctx.ip}`, `subject:${subject}`],
      // The row was read just above: its hard stop stands in for a second query.
      isRefused: () => deps.lockout.isLocked(subject, ctx.ip, { hardStop: account?.hard_locked_at != null }),
    });
    if (!account || !isValid) {
      await deps.lockout.recordFailure(subject, 'pwd', ctx.ip);
      // What was typed is kept only when it names an account: a mistyped address or a
      // password pasted into the email field must not end up in the audit log.
      await deps.audit.record('login.failure', { account_id: account?.id ?? null, client_id: interaction.clientId, ip: ctx.ip, detail: { method: 'password', ...(account ? { email: account.email } : {}) } });
      return renderLoginPage(ctx, interaction, 'password', { values, errors: { password: 'invalid_credentials' } }, 401);
    }
    // Account state is told only now that the password is proven (SPEC 4.8).
    const refusal = deps.signInPolicy.refusal(account, { proven: isValid });
    if (refusal) {
      await deps.audit.record('login.failure', { account_id: account.id, client_id: interaction.clientId, ip: ctx.ip, detail: { method: 'password', reason: refusal.reason } });
      const contacts = refusal.reason === 'account_blocked' ? await deps.accountStatus.blockedContacts(account) : undefined;
      return renderLoginPage(ctx, interaction, 'password', { values, errors: { password: refusal.mayTell ? refusal.reason : 'invalid_credentials' }, contacts }, refusal.reason === 'account_blocked' ? 403 : 401);
    }
    const flow = passwordJourney(account, { remember, trustDevice });
    if (account.must_change_password) {
      // An initial password is replaced before anything else happens (SPEC 4.6).
      await deps.flows.set(interaction.uid, { ...flow, awaitingNewPassword: true });
      ctx.status = 303;
      return ctx.redirect(`/interaction/${interaction.uid}`);
    }
    await continueFlow(deps, ctx, interaction, flow, { hardStop: account.hard_locked_at != null });
  };
}
