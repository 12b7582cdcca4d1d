import type { Context } from 'koa';
import { maySignIn, normaliseEmail } from '../domain/accounts.js';
import { normaliseAgentNumber } from '../domain/agent-number.js';
import { parseForm } from '../http/form-body.js';
import { loadInteraction } from './context.js';
import type { InteractionDeps } from './deps.js';
import { readCheckbox, readField } from './fields.js';
import { continueFlow, mayContinueUnconfirmed } from './flow.js';
import { isAgentLoginPossible, renderLoginPage } from './login-pages.js';

/**
 * POST /interaction/:uid/agent — agent number + email, passwordless (SPEC 4.2). By default
 * a non-matching email leads to the same TAN page (a decoy, no mail), so the page never
 * tells whether an address belongs to an agent number.
 */
export function createAgentLogin(deps: InteractionDeps) {
  return async function submitAgent(ctx: Context): Promise<void> {
    const interaction = await loadInteraction(deps.provider, ctx);
    const form = await parseForm(ctx);
    if (!isAgentLoginPossible(interaction)) return renderLoginPage(ctx, interaction, 'password', {}, 400);
    const agentField = readField(form, 'agent_number', 64);
    const emailField = readField(form, 'email', 254);
    const remember = readCheckbox(form, 'remember');
    const trustDevice = readCheckbox(form, 'trust');
    const values = { agent_number: agentField.value ?? '', email: emailField.value ?? '', ...(remember ? { remember: 'on' } : {}), ...(trustDevice ? { trust: 'on' } : {}) };
    const agentNumber = agentField.value ? normaliseAgentNumber(agentField.value, deps.config.agentNumberPattern) : undefined;
    const email = emailField.value ? normaliseEmail(emailField.value) : undefined;
    const errors: Record<string, string> = {};
    if (agentField.error) errors.agent_number = agentField.error;
    else if (!agentNumber) errors.agent_number = 'agent_number_invalid';
    if (emailField.error) errors.email = emailField.error;
    else if (!email) errors.email = 'invalid_email';
    if (Object.keys(errors).length > 0) return renderLoginPage(ctx, interaction, 'agent', { values, errors }, 400);

    const account = await deps.accounts.findByAgentNumber(agentNumber!);
    const isMatch = account !== undefined && maySignIn(account) && account.email.toLowerCase() === email!.toLowerCase();
    if (!isMatch) {
      await deps.audit.record('login.failure', { account_id: account?.id ?? null, client_id: interaction.clientId, ip: ctx.ip, detail: { method: 'agent', ...(account ? { agent_number: agentNumber } : {}) } });
      if (deps.config.agentLoginRevealMismatch) {
        return renderLoginPage(ctx, interaction, 'agent', { values, errors: { email: 'agent_email_mismatch' } }, 400);
      }
    }
    await continueFlow(deps, ctx, interaction, {
      method: 'agent',
      accountId: account?.id,
      isDecoy: !isMatch,
      agentNumber: agentNumber!,
      email: email!,
      ...(isMatch && account.email_verified ? { emailVerified: true } : {}),
      amr: [],
      remember,
      trustDevice,
      awaitingTan: false,
      // Offered for every known agent number, so the page says nothing about the account's state.
      // It does tell that the number exists: an unknown number cannot be offered a sign-in
      // without lying about the outcome. The trade-off kept (README): lookups are limited per
      // IP (RATE_LIMIT_AGENT_PER_IP_PER_MINUTE, on the route), which makes enumerating slow.
      allowUnconfirmed: account !== undefined && mayContinueUnconfirmed(interaction),
    }, { hardStop: account?.hard_locked_at != null });
  };
}
