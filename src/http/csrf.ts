import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { AppError } from '../errors/index.js';
import { parseForm } from './form-body.js';
import { signedInOf } from './require-session.js';

/**
 * Synchroniser tokens for forms of signed-in people (account page, user managers): an
 * HMAC of the session id, so a token from another session or browser is worthless.
 */
export function createCsrf(key: string) {
  const tokenFor = (sessionId: string) => createHmac('sha256', key).update(`csrf\u0000${sessionId}`).digest('base64url');
  return {
    tokenFor,
    /** Throws a 403 AppError unless `given` is this session's token. */
    verify(given: string | undefined, sessionId: string): void {
      const expected = Buffer.from(tokenFor(sessionId));
      const actual = Buffer.from(given ?? '');
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw new AppError('csrf_failed');
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;

/**
 * After `requireSession`: reads the form (strictly, repeats refused) and lets it through
 * only with this session's `csrf` field; the handler finds the form on `ctx.state.form`.
 */
export function csrf(tokens: Csrf): Middleware {
  return async (ctx, next) => {
    const form = await parseForm(ctx);
    tokens.verify(form.csrf, signedInOf(ctx).sessionId);
    ctx.state.form = form;
    await next();
  };
}

/** The form `csrf()` checked. */
export function checkedFormOf(ctx: Context): Record<string, string> {
  return ctx.state.form as Record<string, string>;
}
