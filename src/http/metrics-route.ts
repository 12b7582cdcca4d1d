import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Registry } from 'prom-client';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** GET /metrics in Prometheus text format; with a token set, only for `Authorization: Bearer <token>`. */
export function metricsRoutes({ registry, token }: { registry: Registry; token?: string }): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    if (token) {
      const presented = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1] ?? '';
      // Digests of equal length, so the comparison takes the same time for any guess.
      if (!timingSafeEqual(digest(presented), digest(token))) {
        ctx.status = 401;
        ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
        ctx.body = 'unauthorized\n';
        return;
      }
    }
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}
