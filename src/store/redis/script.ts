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

/*
 * An index (a set of ids or keys) is a hash whose fields are its members, with empty
 * values: Redis keeps a hash of up to 128 fields of at most 64 bytes as one compact
 * listpack, where a set of strings is a hash table before Redis 7.2 (a grant's index of
 * three entries: about 200 instead of 540 bytes). Index sets written by earlier versions
 * are still added to and read until they expire.
 */

/** Lua: `indexMembers(key)`, the members of an index, hash or (earlier versions) set. */
export const INDEX_MEMBERS_LUA = `
local function indexMembers(key)
  local kind = redis.call('TYPE', key)
  if type(kind) == 'table' then kind = kind.ok end
  if kind == 'set' then return redis.call('SMEMBERS', key) end
  return redis.call('HKEYS', key)
end
`;

/**
 * Adds a member to an index that lives as long as its longest-lived member, in one round
 * trip; with a second key (same hash tag), only while that key does not exist (a
 * revocation marker). Returns 1 when added, 0 when the marker was there.
 */
export const addToIndex = defineScript(`
if KEYS[2] and redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local kind = redis.call('TYPE', KEYS[1])
if type(kind) == 'table' then kind = kind.ok end
if kind == 'set' then redis.call('SADD', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], '') end
if redis.call('TTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 1
`);
