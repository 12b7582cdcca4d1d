import type { Context } from 'koa';
import type { BlockedContacts } from '../domain/account-status.js';
import { renderPage } from '../http/render.js';
import { acrRank } from '../domain/assurance.js';
import type { InteractionContext } from './context.js';
import type { FlowState } from './flow.js';
import { requiredAcr } from './required-acr.js';

export type LoginMethod = 'password' | 'agent';

/** Agent login proves one factor at most; it is not offered where loa:2 is the minimum. */
export function isAgentLoginPossible(interaction: InteractionContext): boolean {
  return acrRank(requiredAcr(interaction).minimum) <= acrRank('urn:pforte:loa:1');
}

/** Which login page shows first: ?method=, then the RP's login_method, then the client's. */
export function preferredMethod(ctx: Context, interaction: InteractionContext): LoginMethod {
  if (!isAgentLoginPossible(interaction)) return 'password';
  const candidates = [ctx.query.method, interaction.details.params.login_method, interaction.clientMetadata.login_method];
  return (candidates.find((m) => m === 'password' || m === 'agent') as LoginMethod | undefined) ?? 'password';
}

/** What the login forms showed when the journey began, so going back keeps the fields (SPEC 4.3). */
export function formValuesOf(flow: FlowState | undefined): Record<string, string> {
  if (!flow || flow.stepUpFrom) return {};
  return {
    email: flow.email,
    ...(flow.method === 'agent' && flow.agentNumber ? { agent_number: flow.agentNumber } : {}),
    ...(flow.remember ? { remember: 'on' } : {}),
    ...(flow.trustDevice ? { trust: 'on' } : {}),
  };
}

interface FormState {
  values?: Record<string, string>;
  errors?: Record<string, string>;
  /** Whom a blocked person may contact, shown only after the right password. */
  contacts?: BlockedContacts;
}

export function renderLoginPage(ctx: Context, interaction: InteractionContext, method: LoginMethod, { values = {}, errors = {}, contacts }: FormState = {}, status = 200) {
  const loginHint = interaction.details.params.login_hint;
  return renderPage(ctx, method === 'agent' ? 'login-agent' : 'login-password', {
    uid: interaction.uid,
    clientName: interaction.clientName,
    values: { email: typeof loginHint === 'string' ? loginHint.slice(0, 254) : '', ...values },
    errors,
    contacts,
    isAgentLoginPossible: isAgentLoginPossible(interaction),
  }, status);
}
