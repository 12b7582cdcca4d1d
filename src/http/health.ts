import Router from '@koa/router';

/** /healthz: the process answers. /readyz: every backing service answers too. */
export function healthRoutes(checks: Record<string, () => Promise<void>>): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await check();
          return [name, 'ok'] as const;
        } catch {
          return [name, 'unavailable'] as const;
        }
      }),
    );
    const isReady = results.every(([, state]) => state === 'ok');
    ctx.status = isReady ? 200 : 503;
    ctx.body = { status: isReady ? 'ok' : 'unavailable', checks: Object.fromEntries(results) };
  });
  return router;
}
