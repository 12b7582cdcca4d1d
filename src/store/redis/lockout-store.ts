import type { RedisClient } from './connect.js';

const keys = {
  failures: (accountId: string) => `pforte:lockout:{${accountId}}:failures`,
  until: (accountId: string) => `pforte:lockout:{${accountId}}:until`,
};

/** Consecutive failures are remembered for a day; a lock ends by itself (TTL). */
const FAILURE_MEMORY_SECONDS = 24 * 3600;

export function createLockoutStore(redis: RedisClient) {
  return {
    async addFailure(accountId: string): Promise<number> {
      const key = keys.failures(accountId);
      const [[, count]] = (await redis.multi().incr(key).expire(key, FAILURE_MEMORY_SECONDS).exec()) as [[unknown, number]];
      return count;
    },
    async failures(accountId: string): Promise<number> {
      return Number((await redis.get(keys.failures(accountId))) ?? 0);
    },
    async lock(accountId: string, untilMs: number, seconds: number): Promise<void> {
      await redis.set(keys.until(accountId), String(untilMs), 'EX', Math.max(1, seconds));
    },
    async lockedUntil(accountId: string): Promise<number | undefined> {
      const value = await redis.get(keys.until(accountId));
      return value ? Number(value) : undefined;
    },
    async reset(accountId: string): Promise<void> {
      await Promise.all([redis.del(keys.failures(accountId)), redis.del(keys.until(accountId))]);
    },
  };
}

export type LockoutStore = ReturnType<typeof createLockoutStore>;
