import type { RedisClient } from './connect.js';

/** What failed: a password, or a TAN. Each has its own run of consecutive failures. */
export type FailureKind = 'pwd' | 'otp';

const keys = {
  failures: (accountId: string, kind: FailureKind) => `pforte:lockout:{${accountId}}:failures:${kind}`,
  until: (accountId: string) => `pforte:lockout:{${accountId}}:until`,
};

/** Consecutive failures are remembered for a day; a lock ends by itself (TTL). */
const FAILURE_MEMORY_SECONDS = 24 * 3600;

export function createLockoutStore(redis: RedisClient) {
  return {
    async addFailure(accountId: string, kind: FailureKind): Promise<number> {
      const key = keys.failures(accountId, kind);
      const [[, count]] = (await redis.multi().incr(key).expire(key, FAILURE_MEMORY_SECONDS).exec()) as [[unknown, number]];
      return count;
    },
    async failures(accountId: string, kind: FailureKind): Promise<number> {
      return Number((await redis.get(keys.failures(accountId, kind))) ?? 0);
    },
    async lock(accountId: string, untilMs: number, seconds: number): Promise<void> {
      await redis.set(keys.until(accountId), String(untilMs), 'EX', Math.max(1, seconds));
    },
    async lockedUntil(accountId: string): Promise<number | undefined> {
      const value = await redis.get(keys.until(accountId));
      return value ? Number(value) : undefined;
    },
    async reset(accountId: string, kind: FailureKind): Promise<void> {
      await redis.del(keys.failures(accountId, kind));
    },
  };
}

export type LockoutStore = ReturnType<typeof createLockoutStore>;
