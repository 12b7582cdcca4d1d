import { createHmac, randomBytes } from 'node:crypto';
import type { LinkStore } from '../store/redis/link-store.js';

export type LinkPurpose = 'activation' | 'confirmation' | 'reset';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * One-time links (activation, registration confirmation, password reset): a random 256-bit
 * token in the URL, only its keyed hash in Redis, bound to a purpose and a value (an account
 * or a self-service flow id), redeemed atomically.
 */
export function createOneTimeLinks({ store, hmacKey }: { store: LinkStore; hmacKey: string }) {
  const digestOf = (purpose: LinkPurpose, token: string) => createHmac('sha256', hmacKey).update(`${purpose}\u0000${token}`).digest('base64url');
  return {
    async issue(purpose: LinkPurpose, value: string, ttlSeconds: number): Promise<string> {
      const token = randomBytes(32).toString('base64url');
      await store.save(digestOf(purpose, token), value, ttlSeconds);
      return token;
    },
    /** What a link is for, without using it up (to show its form). */
    async peek(purpose: LinkPurpose, token: string): Promise<string | undefined> {
      return TOKEN.test(token) ? store.peek(digestOf(purpose, token)) : undefined;
    },
    /** What a link is for; the link is gone afterwards. */
    async redeem(purpose: LinkPurpose, token: string): Promise<string | undefined> {
      return TOKEN.test(token) ? store.take(digestOf(purpose, token)) : undefined;
    },
  };
}

export type OneTimeLinks = ReturnType<typeof createOneTimeLinks>;
