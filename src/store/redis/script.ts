import { createHash } from 'node:crypto';
import type { RedisClient } from './connect.js';

/**
 * A Lua script run by its SHA (EVALSHA), loaded with EVAL the first time a server does not
 * know it: one round trip and a few bytes per call instead of the whole source. On Redis
 * Cluster every key a script touches must share one hash tag `{...}`.
 */
export function defineScript(source: string) {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (redis: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!/NOSCRIPT/i.test(error instanceof Error ? error.message : String(error))) throw error;
      return redis.eval(source, keys.length, ...keys, ...args);
    }
  };
}

/**
 * Adds a member to a set that lives as long as its longest-lived member, in one round
 * trip; with a second key (same hash tag), only while that key does not exist (a
 * revocation marker). Returns 1 when added, 0 when the marker was there.
 */
export const addToIndex = defineScript(`
if KEYS[2] and redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('TTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 1
`);
