import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors/index.js';

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
