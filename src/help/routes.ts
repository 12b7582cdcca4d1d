import Router from '@koa/router';
import { renderPage } from '../http/render.js';

const TOPICS = ['no_mail', 'locked', 'blocked', 'compromised', 'device'] as const;

/** "Help with signing in" (SPEC 4.8): the seed's situations and what to do in each. */
export function helpRoutes({ supportContact }: { supportContact?: string }): Router {
  const router = new Router();
  router.get('/help', (ctx) => renderPage(ctx, 'help', { topics: TOPICS, supportContact }));
  return router;
}
