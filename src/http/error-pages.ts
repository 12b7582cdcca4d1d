import { errors as oidcErrors } from 'oidc-provider';
import type { Context, Middleware } from 'koa';
import { DomainError } from '../errors/index.js';
import { isUnavailable } from '../errors/unavailable.js';
import type { Logger } from '../observability/logger.js';
import { loggableError } from '../observability/loggable-error.js';
import { renderPage } from './render.js';

/** Errors of pforte's own routes become pages; nothing internal is shown, only a request id. */
export function errorPages(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      await renderErrorPage(ctx, error, logger);
    }
  };
}

export async function renderErrorPage(ctx: Context, error: unknown, logger: Logger): Promise<void> {
  const { status, message } = classify(error);
  if (status >= 500) {
    logger.error({ requestId: ctx.state.requestId, err: loggableError(error) }, 'request failed');
  } else {
    logger.info({ requestId: ctx.state.requestId, code: message, status }, 'request refused');
  }
  await renderPage(ctx, 'error', { message: `error.${message}`, status }, status);
}

function classify(error: unknown): { status: number; message: string } {
  if (error instanceof oidcErrors.SessionNotFound) return { status: 400, message: 'interaction_expired' };
  // The provider's adapters turn outages into this (src/oidc/unavailable.ts).
  if (error instanceof oidcErrors.TemporarilyUnavailable) return { status: 503, message: 'unavailable' };
  if (error instanceof DomainError) {
    if (error.code === 'bad_request') return { status: error.status, message: 'bad_request' };
    if (error.status === 404) return { status: 404, message: 'not_found' };
    return { status: error.status, message: error.status === 503 ? 'unavailable' : 'generic' };
  }
  if (isUnavailable(error)) return { status: 503, message: 'unavailable' };
  return { status: 500, message: 'internal' };
}
