import { createHash } from 'node:crypto';
import type { RedisClient } from './connect.js';

/**
 * A Lua script run by its SHA (EVALSHA), loaded with EVAL the first time a server does not
 * know it: one round trip and a few bytes per call instead of the whole source. On Redis
 * Cluster every key a script touches must share one hash tag `{...}`.
 */
export function defineScript(source: string): Script {
  const sha = createHash('sha1').update(source).digest('hex');
  const run = async (redis: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return redis.eval(source, keys.length, ...keys, ...args);
    }
  };
  return Object.assign(run, { sha });
}

export interface Script {
  (redis: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown>;
  readonly sha: string;
}

const isNoScript = (error: unknown) => /NOSCRIPT/i.test(error instanceof Error ? error.message : String(error));

/** One write whose answer nobody waits for: a script run, or a string with a lifetime. */
export type Write = { script: Script; keys: string[]; args: (string | number)[] } | { set: [key: string, value: string, ttlSeconds: number] };

function sendAlone(redis: RedisClient, write: Write): Promise<unknown> {
  return 'script' in write ? write.script(redis, write.keys, write.args) : redis.set(write.set[0], write.set[1], 'EX', write.set[2]);
}

/**
 * Sends independent writes (no order among them, answers unused) in one round trip where
 * one server holds every key (a single node, a Sentinel group's master): one socket write
 * and one read instead of one each, which is most of what a command costs the process. On
 * a Cluster the keys (different hash tags) live on different shards: each goes alone, all
 * at once. A script the server does not know yet is sent again alone (EVAL fallback).
 * The in-process store of laptop mode (no network to save; its pipelines throw on a script
 * error) leaves `isCluster` unset and sends alone too.
 */
export async function sendTogether(redis: RedisClient, writes: Write[]): Promise<void> {
  if (writes.length < 2 || redis.isCluster !== false) {
    await Promise.all(writes.map((write) => sendAlone(redis, write)));
    return;
  }
  const pipeline = redis.pipeline();
  for (const write of writes) {
    if ('script' in write) pipeline.evalsha(write.script.sha, write.keys.length, ...write.keys, ...write.args);
    else pipeline.set(write.set[0], write.set[1], 'EX', write.set[2]);
  }
  const answers = (await pipeline.exec()) ?? [];
  await Promise.all(writes.map(async (write, i) => {
    const error = answers[i]?.[0];
    if (!error) return;
    if (!isNoScript(error)) throw error;
    await sendAlone(redis, write);
  }));
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

/** Lua: `addIndexMember(key, member, ttl)`, the index living as long as its longest-lived member. */
export const ADD_INDEX_MEMBER_LUA = `
local function addIndexMember(key, member, ttl)
  local kind = redis.call('TYPE', key)
  if type(kind) == 'table' then kind = kind.ok end
  if kind == 'set' then redis.call('SADD', key, member) else redis.call('HSET', key, member, '') end
  if redis.call('TTL', key) < tonumber(ttl) then redis.call('EXPIRE', key, ttl) end
end
`;

/**
 * Adds a member to an index that lives as long as its longest-lived member, in one round
 * trip; with a second key (same hash tag), only while that key does not exist (a
 * revocation marker). Returns 1 when added, 0 when the marker was there.
 */
export const addToIndex = defineScript(`${ADD_INDEX_MEMBER_LUA}
if KEYS[2] and redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
addIndexMember(KEYS[1], ARGV[1], ARGV[2])
return 1
`);
