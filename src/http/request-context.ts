import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { inRequestScope } from '../observability/request-scope.js';
import { routePattern } from './route-pattern.js';

/** One-time link tokens travel in the path; they are secrets and never logged. */
function redactPath(path: string): string {
  return path.replace(/^(\/activate|\/register\/confirm|\/forgot-password\/reset)\/[^/]+/, '$1/[redacted]');
}

/**
 * Request id for logs, error pages and audit rows, plus one structured log line and one
 * timing per request.
 */
export function requestContext(logger: Logger, metrics?: Pick<Metrics, 'requestFinished'>): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    logger.debug({ requestId, method: ctx.method, path: redactPath(ctx.path) }, 'request started');
    try {
      // Acts recorded anywhere below (domain audit events) can name this request and caller.
      await inRequestScope({ requestId, ip: ctx.ip }, next);
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routePattern(ctx);
      metrics?.requestFinished({ route, method: ctx.method, status: ctx.status, seconds });
      // Only the path: query strings and bodies may carry codes or tokens.
      logger.info(
        { requestId, method: ctx.method, route, path: redactPath(ctx.path), status: ctx.status, ms: seconds * 1e3 },
        'request',
      );
    }
  };
}
