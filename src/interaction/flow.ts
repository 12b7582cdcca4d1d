import type { Context } from 'koa';
import { acrFromAmr, acrRank, amrClaim, type Acr, type Amr } from '../domain/assurance.js';
import { NOTHING_TO_ADD } from '../domain/assurance-request.js';
import type { AuditBatch } from '../domain/audit.js';
import type { TanSubject } from '../domain/tans.js';
import { AppError } from '../errors/index.js';
import { finishInteraction, type InteractionContext } from './context.js';
import type { InteractionDeps } from './deps.js';
import type { SilentMethod } from './methods/silent-method.js';
import { trustedDevice } from './methods/trusted-device.js';
import { requiredAcr } from './required-acr.js';
import { renderTanPage } from './tan-page.js';

/** One login journey: who claims to sign in, and which methods they completed so far. */
export interface FlowState {
  method: 'password' | 'agent';
  /** The account named (by email, agent number or session); absent for an unknown agent number. */
  accountId?: string;
  /**
   * The agent number and email did not match (SPEC 4.2): the journey looks like any other,
   * but no TAN is mailed and none can succeed.
   */
  isDecoy: boolean;
  agentNumber?: string;
  email: string;
  /**
   * The account's address was already confirmed when the journey started (read with its
   * row): a TAN then has nothing to mark. An address never becomes unconfirmed again.
   */
  emailVerified?: boolean;
  amr: Amr[];
  remember: boolean;
  trustDevice: boolean;
  /** A TAN has been issued and the TAN page is the current step. */
  awaitingTan: boolean;
  /** The password was an initial one: "set a new password" is the current step. */
  awaitingNewPassword?: boolean;
  /** loa:0 ("continue without email confirmation") may be offered. */
  allowUnconfirmed: boolean;
  /** A step-up: what the session had proven, and when (kept as the sign-in time). */
  stepUpFrom?: { amr: Amr[]; loginTs?: number };
}

/** A journey whose password was just proven for this account (the login form, or a finished registration or reset). */
export function passwordJourney(account: { id: string; email: string; agent_number: string | null }, { remember, trustDevice }: { remember: boolean; trustDevice: boolean }): FlowState {
  return {
    method: 'password',
    accountId: account.id,
    isDecoy: false,
    agentNumber: account.agent_number ?? undefined,
    email: account.email,
    amr: ['pwd'],
    remember,
    trustDevice,
    awaitingTan: false,
    allowUnconfirmed: false,
  };
}

/** A journey that can end in a sign-in: not a decoy, and naming an account. */
function signable(flow: FlowState): flow is FlowState & { accountId: string } {
  return !flow.isDecoy && flow.accountId !== undefined;
}

/** Methods completed in this interaction (a step-up starts from the session's). */
function provenHere(flow: FlowState): Amr[] {
  return flow.amr.filter((m) => !flow.stepUpFrom?.amr.includes(m));
}

/** loa:0 ("continue without email confirmation") only for a client allowing it and a request not asking more. */
export function mayContinueUnconfirmed(interaction: InteractionContext): boolean {
  const allowed = interaction.clientMetadata.allowed_acr_values;
  return Array.isArray(allowed) && allowed.includes('urn:pforte:loa:0') && requiredAcr(interaction).minimum === 'urn:pforte:loa:0';
}

/** Methods that prove possession without a question, tried in this order before a TAN. */
const SILENT_METHODS: readonly SilentMethod[] = [trustedDevice];

/** What the caller read about the flow's account in this same request (saves asking again). */
export interface KnownInRequest {
  /** The hard stop as read with the account's row (see Lockout.isLocked). */
  hardStop?: boolean;
  /** What a silent method audited, written with the login row (finishLogin). */
  pendingAudit?: AuditBatch;
}

/**
 * After each completed method: finish when the proven level reaches what this request
 * needs; otherwise let a silent method (a trusted device) stand in for the TAN, or send one.
 */
export async function continueFlow(deps: InteractionDeps, ctx: Context, interaction: InteractionContext, flow: FlowState, known: KnownInRequest = {}): Promise<void> {
  const { wanted, minimum } = requiredAcr(interaction);
  const proven = acrRank(acrFromAmr(flow.amr));
  if (signable(flow) && flow.amr.length > 0 && proven >= acrRank(wanted)) {
    return finishLogin(deps, ctx, interaction, flow, known.pendingAudit);
  }
  const hasPossession = flow.amr.includes('otp') || flow.amr.includes('device');
  if (hasPossession) {
    // Only a password could add more, and this journey has none: finish with what was
    // proven if that is enough, otherwise tell the relying party what is unmet.
    await deps.flows.clear(interaction.uid);
    if (proven < acrRank(minimum)) {
      return finishInteraction(deps.provider, ctx, { error: 'unmet_authentication_requirements', error_description: 'the requested assurance level cannot be reached with this method' });
    }
    // A step-up that adds nothing signs nobody in again (auth_time and session limit stay).
    if (provenHere(flow).length === 0) return finishInteraction(deps.provider, ctx, { [NOTHING_TO_ADD]: true });
    return finishLogin(deps, ctx, interaction, flow, known.pendingAudit);
  }
  // Nothing stands in during a lock: the TAN page follows and fails like any attempt.
  if (signable(flow) && !(await deps.lockout.isLocked(flow.accountId, ctx.ip, known))) {
    for (const method of SILENT_METHODS) {
      // The method's audit row (device.used) and the login's go in one insert; the batch is
      // written on every way out (an unmet level, an error), at the latest here.
      const pendingAudit = deps.audit.batch();
      try {
        const proved = await method.prove(deps, ctx, interaction, flow.accountId, pendingAudit);
        if (proved) return await continueFlow(deps, ctx, interaction, { ...flow, amr: [...flow.amr, proved] }, { ...known, pendingAudit });
      } finally {
        await pendingAudit.flush();
      }
    }
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
    if (!(error instanceof AppError) || (error.field !== 'tan' && error.code !== 'mail_unavailable')) throw error;
    await renderTanPage(ctx, deps, interaction, flow, { errors: { tan: error.code }, messageVars: error.vars, status: error.status });
    return false;
  }
}

/** Who the flow's TAN is for, and which hourly budget it counts against. */
export function tanSubject(flow: FlowState): TanSubject {
  const limitSubject = `${flow.agentNumber ?? ''}\u0000${flow.email.toLowerCase()}`;
  return signable(flow) ? { isDecoy: false, accountId: flow.accountId, limitSubject } : { isDecoy: true, limitSubject };
}

/** Issues and mails a TAN; a decoy only talks to the mail server. Limits come back as AppErrors. */
async function sendTan(deps: InteractionDeps, ctx: Context, interaction: InteractionContext, flow: FlowState): Promise<void> {
  const subject = tanSubject(flow);
  await deps.tans.issue({
    flowId: interaction.uid,
    subject,
    clientId: interaction.clientId,
    ip: ctx.ip,
    deliver: subject.isDecoy
      ? () => deps.mailer.probe()
      : (tan, minutes) => deps.mailer.send({ to: flow.email, template: 'tan', locale: ctx.state.locale, data: { tan, minutes } }),
  });
}

/**
 * Completes the journey with what was actually proven (acr derived from amr). The login
 * row joins `pendingAudit` (what a silent method recorded in this request), written in one.
 */
export async function finishLogin(deps: InteractionDeps, ctx: Context, interaction: InteractionContext, flow: FlowState, pendingAudit?: AuditBatch): Promise<void> {
  if (flow.accountId === undefined) throw new AppError('bad_request');
  await deps.flows.clear(interaction.uid);
  // Proving a factor here ends that factor's run of failures (loa:0 proves nothing).
  await deps.lockout.reset(flow.accountId, provenHere(flow), ctx.ip);
  await (pendingAudit ?? deps.audit).record('login.success', {
    account_id: flow.accountId,
    client_id: interaction.clientId,
    ip: ctx.ip,
    detail: { method: flow.method, amr: flow.amr },
  });
  await pendingAudit?.flush();
  const acr: Acr = acrFromAmr(flow.amr);
  await finishInteraction(deps.provider, ctx, {
    login: {
      accountId: flow.accountId,
      // Nothing proven (loa:0) never outlives the browser.
      remember: flow.remember && acr !== 'urn:pforte:loa:0',
      amr: amrClaim(flow.amr),
      acr,
      // A step-up keeps the session's sign-in time: auth_time, max_age and the absolute limit count from it.
      ...(flow.stepUpFrom?.loginTs ? { ts: flow.stepUpFrom.loginTs } : {}),
    },
  });
}

