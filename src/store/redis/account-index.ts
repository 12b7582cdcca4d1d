import type { RedisClient } from './connect.js';
import { addToIndex } from './script.js';

/**
 * Which provider sessions and grants belong to an account, so "end everything of this
 * account" (block, password reset or change, sign out everywhere) needs no key scan. The
 * provider's adapter adds to the index as it stores sessions and grants; each set lives
 * as long as the longest-lived member, and a member that expired on its own is harmless.
 */
const keys = {
  sessions: (accountId: string) => `pforte:account:{${accountId}}:sessions`,
  grants: (accountId: string) => `pforte:account:{${accountId}}:grants`,
};

export type IndexedModel = 'Session' | 'Grant';

async function addMember(redis: RedisClient, key: string, member: string, ttlSeconds: number): Promise<void> {
  await addToIndex(redis, [key], [member, ttlSeconds]);
}

export function createAccountIndex(redis: RedisClient) {
  return {
    async add(model: IndexedModel, accountId: string, id: string, ttlSeconds: number): Promise<void> {
      await addMember(redis, model === 'Session' ? keys.sessions(accountId) : keys.grants(accountId), id, ttlSeconds);
    },
    /** Takes the account's indexed session and grant ids, emptying the index. */
    async take(accountId: string): Promise<{ sessionIds: string[]; grantIds: string[] }> {
      // One transaction: a session indexed meanwhile is either taken or stays indexed.
      const [[, sessionIds], [, grantIds]] = (await redis
        .multi()
        .smembers(keys.sessions(accountId))
        .smembers(keys.grants(accountId))
        .del(keys.sessions(accountId), keys.grants(accountId))
        .exec()) as [[unknown, string[]], [unknown, string[]]];
      return { sessionIds, grantIds };
    },
    /** Puts a session back (the one that asked to end the others). */
    keep: (accountId: string, sessionId: string, ttlSeconds: number) => addMember(redis, keys.sessions(accountId), sessionId, ttlSeconds),
  };
}

export type AccountIndex = ReturnType<typeof createAccountIndex>;
