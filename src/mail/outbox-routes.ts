import Router from '@koa/router';
import { renderPage } from '../http/render.js';
import type { DevOutbox } from './dev-outbox.js';

/**
 * `/dev/outbox`: the mails kept when there is no `SMTP_URL`, newest first, and the newest
 * one as JSON for scripts. Outside production only: these pages show live TANs.
 */
export function devOutboxRoutes(outbox: DevOutbox): Router {
  const router = new Router({ prefix: '/dev/outbox' });

  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  router.get('/', (ctx) => renderPage(ctx, 'dev-outbox', { mails: outbox.list() }));

  router.get('/latest.json', (ctx) => {
    const [latest] = outbox.list();
    if (!latest) {
      ctx.status = 404;
      ctx.body = { error: 'outbox_empty' };
      return;
    }
    ctx.body = { ...latest, sentAt: latest.sentAt.toISOString() };
  });

  return router;
}
