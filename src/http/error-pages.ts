import { errors as oidcErrors } from 'oidc-provider';
import type { Context, Middleware } from 'koa';
import { AppError, type ErrorCode } from '../errors/index.js';
import { isUnavailable } from '../errors/unavailable.js';
import type { Logger } from '../observability/logger.js';
import { loggableError } from '../observability/loggable-error.js';
import { renderPage } from './render.js';

/** Errors of pforte's own routes become pages; nothing internal is shown, only a request id. */
export function errorPages(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      // A path nothing answered: pforte's page (lang, title, brand), not a bare "Not Found".
      if (ctx.status === 404 && ctx.body == null && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
        await renderPage(ctx, 'error', { message: 'error.not_found', status: 404 }, 404);
      }
    } catch (error) {
      await renderErrorPage(ctx, error, logger);
    }
  };
}

export async function renderErrorPage(ctx: Context, error: unknown, logger: Logger): Promise<void> {
  const { status, code } = classify(error);
  if (status >= 500) {
    logger.error({ requestId: ctx.state.requestId, err: loggableError(error) }, 'request failed');
  } else {
    logger.info({ requestId: ctx.state.requestId, code, status }, 'request refused');
  }
  const vars = error instanceof AppError ? error.vars : {};
  // A way back the failed page's routes named (ctx.state.backLink), e.g. /manage's member page.
  await renderPage(ctx, 'error', { message: `error.${code}`, messageVars: vars, status, link: ctx.state.backLink }, status);
}

/** What a person is told: the catalogue's code (each has a message) and status. */
function classify(error: unknown): { status: number; code: ErrorCode } {
  if (error instanceof oidcErrors.SessionNotFound) return { status: 400, code: 'interaction_expired' };
  // The provider's adapters turn outages into this (src/oidc/unavailable.ts).
  if (error instanceof oidcErrors.TemporarilyUnavailable) return { status: 503, code: 'unavailable' };
  if (error instanceof AppError) return { status: error.status, code: error.code };
  if (isUnavailable(error)) return { status: 503, code: 'unavailable' };
  return { status: 500, code: 'internal' };
}
