import type { Context } from 'koa';
import { maySignIn } from '../domain/accounts.js';
import type { Amr } from '../domain/assurance.js';
import type { InteractionContext } from './context.js';
import type { InteractionDeps } from './deps.js';
import { continueFlow, type FlowState } from './flow.js';
import { renderTanPage } from './tan-page.js';

const STEP_UP_REASONS = new Set(['acr_insufficient']);
const METHODS: readonly Amr[] = ['pwd', 'otp', 'device'];

/**
 * A signed-in person whose session is below what this request asks for, and nothing
 * else (no prompt=login, no max_age, no other account): only the missing factor is asked.
 */
export function isStepUp({ details }: InteractionContext): boolean {
  return details.prompt.name === 'login'
    && Boolean(details.session?.accountId)
    && details.prompt.reasons.length > 0
    && details.prompt.reasons.every((reason) => STEP_UP_REASONS.has(reason));
}

/** Starts a journey from what the session has proven; continueFlow adds what is missing. */
export async function startStepUp(deps: InteractionDeps, ctx: Context, interaction: InteractionContext): Promise<boolean> {
  const { session } = interaction.details;
  const account = session?.accountId ? await deps.accounts.findById(session.accountId) : undefined;
  if (!session || !account || !maySignIn(account)) return false;
  const stored = session.uid ? await deps.provider.Session.findByUid(session.uid) : undefined;
  const amr = ((session as { amr?: string[] }).amr ?? []).filter((m): m is Amr => (METHODS as readonly string[]).includes(m));
  const flow: FlowState = {
    method: amr.includes('pwd') ? 'password' : 'agent',
    accountId: account.id,
    isDecoy: false,
    agentNumber: account.agent_number ?? undefined,
    email: account.email,
    amr,
    stepUpFrom: { amr, loginTs: stored?.loginTs },
    remember: stored ? !stored.transient : false,
    trustDevice: false,
    awaitingTan: false,
    allowUnconfirmed: false,
  };
  // One TAN mail per interaction: a GET racing the first one (a prefetch, a quick reload)
  // shows the TAN page of the journey the first one started and sends nothing.
  if (!(await deps.flows.claimOnce(interaction.uid, 'step-up'))) {
    await renderTanPage(ctx, deps, interaction, (await deps.flows.get(interaction.uid)) ?? { ...flow, awaitingTan: true });
    return true;
  }
  await continueFlow(deps, ctx, interaction, flow);
  return true;
}
