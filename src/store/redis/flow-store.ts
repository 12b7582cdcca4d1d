import type { RedisClient } from './connect.js';

const key = (uid: string) => `pforte:flow:{${uid}}`;

/** State of one login journey, keyed by its interaction and living no longer than it. */
export function createFlowStore<T extends object>(redis: RedisClient, ttlSeconds: number) {
  return {
    async get(uid: string): Promise<T | undefined> {
      const raw = await redis.get(key(uid));
      return raw ? (JSON.parse(raw) as T) : undefined;
    },
    async set(uid: string, state: T): Promise<void> {
      await redis.set(key(uid), JSON.stringify(state), 'EX', ttlSeconds);
    },
    async clear(uid: string): Promise<void> {
      await redis.del(key(uid));
    },
    /** True for the first caller only, per interaction and `what` (e.g. the one step-up mail). */
    async claimOnce(uid: string, what: string): Promise<boolean> {
      return (await redis.set(`${key(uid)}:once:${what}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
    },
  };
}
