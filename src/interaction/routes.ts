import Router from '@koa/router';
import { AppError } from '../errors/index.js';
import { rateLimited } from '../http/rate-limit.js';
import { createAgentLogin } from './agent-login.js';
import { createAbort, createConsent, renderConsentPage } from './consent.js';
import { loadInteraction } from './context.js';
import type { InteractionDeps } from './deps.js';
import { formValuesOf, preferredMethod, renderLoginPage } from './login-pages.js';
import { createNewPassword, renderNewPasswordPage } from './new-password.js';
import { createPasswordLogin } from './password-login.js';
import { createContinueUnconfirmed, createResendTan, createSubmitTan } from './tan-step.js';
import { createSelfServiceReturn } from './self-service-return.js';
import { startStepUp, isStepUp } from './step-up.js';
import { renderTanPage } from './tan-page.js';

/** The hosted login journeys under /interaction/:uid. */
export function interactionRoutes(deps: InteractionDeps): Router {
  const router = new Router({ prefix: '/interaction/:uid' });
  router.param('uid', (uid, _ctx, next) => {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(uid)) throw new AppError('not_found');
    return next();
  });

  /** The current step: consent, the TAN page of a journey in progress, or a login page. */
  router.get('/', async (ctx) => {
    const interaction = await loadInteraction(deps.provider, ctx);
    if (interaction.details.prompt.name === 'consent') return renderConsentPage(ctx, interaction);
    const flow = await deps.flows.get(interaction.uid);
    if (flow?.awaitingNewPassword && !ctx.query.method) return renderNewPasswordPage(ctx, deps, interaction);
    if (flow?.awaitingTan && !ctx.query.method) return renderTanPage(ctx, deps, interaction, flow);
    if (!flow && !ctx.query.method && isStepUp(interaction) && (await startStepUp(deps, ctx, interaction))) return;
    // Choosing a login method (or "Correct email address") shows its form filled from the
    // journey so far. Only sending the form changes the journey: a GET (a reload, a prefetch
    // of the link) changes nothing and mails nothing.
    return renderLoginPage(ctx, interaction, preferredMethod(ctx, interaction), { values: formValuesOf(flow) });
  });
  // Per-IP limits before any hashing or lookup; a sign-in step that succeeds (a redirect)
  // is given back, agent-number lookups always count (they could enumerate numbers).
  router.post('/password', rateLimited(deps.rateLimits, 'password', { giveBackOnRedirect: true }), createPasswordLogin(deps));
  router.post('/agent', rateLimited(deps.rateLimits, 'agent'), createAgentLogin(deps));
  router.post('/new-password', createNewPassword(deps));
  router.post('/tan', rateLimited(deps.rateLimits, 'tan', { giveBackOnRedirect: true }), createSubmitTan(deps));
  router.post('/tan/resend', createResendTan(deps));
  router.post('/unconfirmed', createContinueUnconfirmed(deps));
  router.post('/consent', createConsent(deps));
  router.post('/abort', createAbort(deps));
  router.get('/continue', createSelfServiceReturn(deps));
  return router;
}

