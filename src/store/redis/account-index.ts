import type { RedisClient } from './connect.js';
import { addToIndex, defineScript, INDEX_MEMBERS_LUA, sendTogether, type Write } from './script.js';

/**
 * Which provider sessions and grants belong to an account, so "end everything of this
 * account" (block, password reset or change, sign out everywhere) needs no key scan. The
 * provider's adapter adds to the index as it stores sessions and grants; each set lives
 * as long as the longest-lived member, and a member that expired on its own is harmless.
 */
const keys = {
  sessions: (accountId: string) => `pforte:account:{${accountId}}:sessions`,
  grants: (accountId: string) => `pforte:account:{${accountId}}:grants`,
  ended: (accountId: string) => `pforte:account:{${accountId}}:ended`,
};

/**
 * How long "this account's sessions were just ended" is remembered: longer than an
 * authorization code lives (60 s), so a code saved under a grant the ending missed (it was
 * being saved at that moment) is exchanged only after Postgres was asked again.
 */
const ENDED_MEMORY_SECONDS = 120;

export type IndexedModel = 'Session' | 'Grant';

/** Takes both indexes of an account (emptying them) and marks its sessions ended, in one step. */
const takeIndexes = defineScript(`${INDEX_MEMBERS_LUA}
local sessions, grants = indexMembers(KEYS[1]), indexMembers(KEYS[2])
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SET', KEYS[3], '1', 'EX', ARGV[1])
return { sessions, grants }
`);

const addMember = (key: string, member: string, ttlSeconds: number): Write => ({ script: addToIndex, keys: [key], args: [member, ttlSeconds] });

export function createAccountIndex(redis: RedisClient) {
  return {
    /** The write that indexes a session or grant, to send with the artifact's own (sendTogether). */
    addition(model: IndexedModel, accountId: string, id: string, ttlSeconds: number): Write {
      return addMember(model === 'Session' ? keys.sessions(accountId) : keys.grants(accountId), id, ttlSeconds);
    },
    /** Takes the account's indexed session and grant ids, emptying the index. */
    async take(accountId: string): Promise<{ sessionIds: string[]; grantIds: string[] }> {
      // One script: a session indexed meanwhile is either taken or stays indexed.
      const [sessionIds, grantIds] = (await takeIndexes(redis, [keys.sessions(accountId), keys.grants(accountId), keys.ended(accountId)], [ENDED_MEMORY_SECONDS])) as [string[], string[]];
      return { sessionIds, grantIds };
    },
    /** Whether the account's sessions were ended (`take`) in the last two minutes. */
    async hasEnded(accountId: string): Promise<boolean> {
      return (await redis.exists(keys.ended(accountId))) === 1;
    },
    /** Puts a session back (the one that asked to end the others). */
    keep: (accountId: string, sessionId: string, ttlSeconds: number) => sendTogether(redis, [addMember(keys.sessions(accountId), sessionId, ttlSeconds)]),
  };
}

export type AccountIndex = ReturnType<typeof createAccountIndex>;
