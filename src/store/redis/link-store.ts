import type { RedisClient } from './connect.js';

/** Reads and deletes in one step: of parallel redemptions exactly one gets the value. */
const TAKE_SCRIPT = `
local value = redis.call('GET', KEYS[1])
if value then redis.call('DEL', KEYS[1]) end
return value
`;

const key = (digest: string) => `pforte:link:{${digest}}`;

/** One-time links, stored under a keyed hash of their token, with a TTL. */
export function createLinkStore(redis: RedisClient) {
  return {
    async save(digest: string, value: string, ttlSeconds: number): Promise<void> {
      await redis.set(key(digest), value, 'EX', ttlSeconds);
    },
    async peek(digest: string): Promise<string | undefined> {
      return (await redis.get(key(digest))) ?? undefined;
    },
    async take(digest: string): Promise<string | undefined> {
      return ((await redis.eval(TAKE_SCRIPT, 1, key(digest))) as string | null) ?? undefined;
    },
  };
}

export type LinkStore = ReturnType<typeof createLinkStore>;
