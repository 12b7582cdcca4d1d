import Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { AccountService } from '../domain/accounts.js';
import type { AuditLog } from '../domain/audit.js';
import { createAbort, createConsent, renderConsentPage } from './consent.js';
import { loadInteraction } from './context.js';
import { createPasswordLogin, renderPasswordPage } from './password-login.js';

export interface InteractionDeps {
  provider: Provider;
  accounts: AccountService;
  audit: AuditLog;
}

/** The hosted login journeys under /interaction/:uid. */
export function interactionRoutes(deps: InteractionDeps): Router {
  const router = new Router({ prefix: '/interaction/:uid' });
  const uidPattern = /^[A-Za-z0-9_-]{1,64}$/;
  router.param('uid', (uid, ctx, next) => {
    if (!uidPattern.test(uid)) {
      ctx.throw(404);
    }
    return next();
  });

  router.get('/', async (ctx) => {
    const interaction = await loadInteraction(deps.provider, ctx);
    if (interaction.details.prompt.name === 'consent') return renderConsentPage(ctx, interaction);
    return renderPasswordPage(ctx, interaction);
  });
  router.post('/password', createPasswordLogin(deps));
  router.post('/consent', createConsent(deps));
  router.post('/abort', createAbort(deps));
  return router;
}
