import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../observability/logger.js';

/** One-time link tokens travel in the path; they are secrets and never logged. */
function redactPath(path: string): string {
  return path.replace(/^(\/activate|\/register\/confirm|\/forgot-password\/reset)\/[^/]+/, '$1/[redacted]');
}

/** Request id for logs and error pages, plus one structured log line per request. */
export function requestContext(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      // Only the path: query strings and bodies may carry codes or tokens.
      logger.info(
        { requestId, method: ctx.method, path: redactPath(ctx.path), status: ctx.status, ms: Number(process.hrtime.bigint() - started) / 1e6 },
        'request',
      );
    }
  };
}
