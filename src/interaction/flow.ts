import type { Context } from 'koa';
import { acrFromAmr, acrRank, amrClaim, type Acr, type Amr } from '../domain/assurance.js';
import { DomainError } from '../errors/index.js';
import { finishInteraction, type InteractionContext } from './context.js';
import { readDeviceToken } from './device-cookie.js';
import type { InteractionDeps } from './deps.js';
import { requiredAcr } from './required-acr.js';
import { renderTanPage } from './tan-page.js';

/** One login journey: who claims to sign in, and which methods they completed so far. */
export interface FlowState {
  method: 'password' | 'agent';
  /** The account, or `decoy:<uid>` when an agent number and email did not match. */
  accountId: string;
  email: string;
  amr: Amr[];
  remember: boolean;
  trustDevice: boolean;
  /** A TAN has been issued and the TAN page is the current step. */
  awaitingTan: boolean;
  /** loa:0 ("continue without email confirmation") may be offered. */
  allowUnconfirmed: boolean;
}

export const isDecoy = (flow: FlowState) => flow.accountId.startsWith('decoy:');

/** loa:0 ("continue without email confirmation") only for a client allowing it and a request not asking more. */
export function mayContinueUnconfirmed(interaction: InteractionContext): boolean {
  const allowed = interaction.clientMetadata.allowed_acr_values;
  return Array.isArray(allowed) && allowed.includes('urn:pforte:loa:0') && requiredAcr(interaction).minimum === 'urn:pforte:loa:0';
}

/**
 * After each completed method: finish when the proven level reaches what this request
 * needs; otherwise let a trusted device stand in for the TAN, or send a TAN.
 */
export async function continueFlow(deps: InteractionDeps, ctx: Context, interaction: InteractionContext, flow: FlowState): Promise<void> {
  const { wanted, minimum } = requiredAcr(interaction);
  const proven = acrRank(acrFromAmr(flow.amr));
  if (!isDecoy(flow) && flow.amr.length > 0 && proven >= acrRank(wanted)) {
    return finishLogin(deps, ctx, interaction, flow);
  }
  const hasPossession = flow.amr.includes('otp') || flow.amr.includes('device');
  if (hasPossession) {
    // Only a password could add more, and this journey has none: finish with what was
    // proven if that is enough, otherwise tell the relying party what is unmet.
    if (proven >= acrRank(minimum)) return finishLogin(deps, ctx, interaction, flow);
    await deps.flows.clear(interaction.uid);
    return finishInteraction(deps.provider, ctx, { error: 'unmet_authentication_requirements', error_description: 'the requested assurance level cannot be reached with this method' });
  }
  if (!isDecoy(flow) && interaction.clientMetadata.device_shortcut !== false) {
    const account = await deps.accounts.findById(flow.accountId);
    const device = account && (await deps.devices.recognise(readDeviceToken(ctx, deps.config), account.id, ctx.get('user-agent'), account.password_changed_at));
    if (device) return continueFlow(deps, ctx, interaction, { ...flow, amr: [...flow.amr, 'device'] });
  }
  const next = { ...flow, awaitingTan: true };
  await deps.flows.set(interaction.uid, next);
  if (!(await sendTanOrExplain(deps, ctx, interaction, next))) return;
  ctx.status = 303;
  ctx.redirect(`/interaction/${interaction.uid}`);
}

/**
 * Sends a TAN; when a limit or the mail server stands in the way, shows the TAN page with
 * what the user can do next (wait, resend later) and returns false. The flow is kept.
 */
export async function sendTanOrExplain(deps: InteractionDeps, ctx: Context, interaction: InteractionContext, flow: FlowState): Promise<boolean> {
  try {
    await sendTan(deps, ctx, interaction, flow);
    return true;
  } catch (error) {
    if (!(error instanceof DomainError) || (error.field !== 'tan' && error.code !== 'mail_unavailable')) throw error;
    const messageVars: Record<string, number> = error.code === 'tan_cooldown' ? { seconds: Number(error.message) } : {};
    await renderTanPage(ctx, interaction, flow, { errors: { tan: error.code }, messageVars, status: error.status });
    return false;
  }
}

/** Issues and mails a TAN (or a silent decoy); limits come back as DomainErrors. */
async function sendTan(deps: InteractionDeps, ctx: Context, interaction: InteractionContext, flow: FlowState): Promise<void> {
  if (isDecoy(flow)) return deps.tans.issueDecoy(interaction.uid);
  await deps.tans.issue({
    flowId: interaction.uid,
    accountId: flow.accountId,
    clientId: interaction.clientId,
    ip: ctx.ip,
    deliver: (tan, minutes) => deps.mailer.send({ to: flow.email, template: 'tan', locale: ctx.state.locale, data: { tan, minutes } }),
  });
}

/** Completes the journey with what was actually proven (acr derived from amr). */
export async function finishLogin(deps: InteractionDeps, ctx: Context, interaction: InteractionContext, flow: FlowState): Promise<void> {
  if (isDecoy(flow)) throw new DomainError('bad_request', 400);
  await deps.flows.clear(interaction.uid);
  // Only a completed sign-in ends a run of failures; a right password alone does not.
  await deps.lockout.reset(flow.accountId);
  await deps.audit.record('login.success', {
    account_id: flow.accountId,
    client_id: interaction.clientId,
    ip: ctx.ip,
    detail: { method: flow.method, amr: flow.amr },
  });
  const acr: Acr = acrFromAmr(flow.amr);
  await finishInteraction(deps.provider, ctx, {
    login: { accountId: flow.accountId, remember: flow.remember, amr: amrClaim(flow.amr), acr },
  });
}

