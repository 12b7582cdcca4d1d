import type { Context } from 'koa';
import { maySignIn } from '../domain/accounts.js';
import { hasSucceeded } from '../domain/self-service-flows.js';
import { loadInteraction } from './context.js';
import type { InteractionDeps } from './deps.js';
import { continueFlow, passwordJourney } from './flow.js';

/**
 * GET /interaction/:uid/continue — back from a registration or reset that this browser
 * started from this sign-in: the password just set counts as proven (amr `pwd`), and the
 * journey goes on as after a password form (a TAN when the client needs more). The flow
 * is handed back once; a second visit, another browser or a flow of another sign-in gets
 * the login page.
 */
export function createSelfServiceReturn(deps: InteractionDeps) {
  return async function continueAfterSelfService(ctx: Context): Promise<void> {
    const interaction = await loadInteraction(deps.provider, ctx);
    const flow = await deps.selfService.flowCookie.current(ctx);
    const isOurs = flow && flow.interactionUid === interaction.uid && flow.state !== 'handed_back' && hasSucceeded(flow) && flow.accountId;
    const handedBack = isOurs ? await deps.selfService.flows.transition(flow, 'handed_back') : undefined;
    const account = handedBack?.accountId ? await deps.accounts.findById(handedBack.accountId) : undefined;
    if (!account || !maySignIn(account)) {
      ctx.status = 303;
      return ctx.redirect(`/interaction/${interaction.uid}`);
    }
    await continueFlow(deps, ctx, interaction, passwordJourney(account, { remember: false, trustDevice: false }));
  };
}
