import type { RedisClient } from './connect.js';

/**
 * Redeems a TAN in one atomic step (Ory Kratos' model): the attempt is counted before
 * the comparison, a match deletes the TAN (single use), the last wrong attempt voids it.
 * KEYS[1] = TAN hash; ARGV = candidate digest, account id, max attempts, now (ms).
 * Returns {outcome, attempts}: outcome is ok | wrong | void | expired | missing.
 */
const REDEEM_SCRIPT = `
local stored = redis.call('HMGET', KEYS[1], 'digest', 'account', 'expires')
if not stored[1] or stored[2] ~= ARGV[2] then return {'missing', 0} end
if tonumber(stored[3]) <= tonumber(ARGV[4]) then
  redis.call('DEL', KEYS[1])
  return {'expired', 0}
end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
if stored[1] == ARGV[1] and attempts <= tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1])
  return {'ok', attempts}
end
if attempts >= tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1])
  return {'void', attempts}
end
return {'wrong', attempts}
`;

export type RedeemOutcome = 'ok' | 'wrong' | 'void' | 'expired' | 'missing';

const keys = {
  tan: (flowId: string) => `pforte:tan:{${flowId}}`,
  cooldown: (accountId: string) => `pforte:tan-cooldown:{${accountId}}`,
  hourly: (accountId: string) => `pforte:tan-sends:{${accountId}}`,
};

export function createTanStore(redis: RedisClient) {
  return {
    /** Replaces any earlier TAN of the flow: only the newest one counts. */
    async save(flowId: string, entry: { digest: string; accountId: string; expiresAtMs: number }, ttlSeconds: number): Promise<void> {
      const key = keys.tan(flowId);
      await redis
        .multi()
        .del(key)
        .hset(key, 'digest', entry.digest, 'account', entry.accountId, 'expires', String(entry.expiresAtMs), 'attempts', '0')
        .expire(key, ttlSeconds)
        .exec();
    },

    async redeem(flowId: string, digest: string, accountId: string, maxAttempts: number, nowMs: number): Promise<{ outcome: RedeemOutcome; attempts: number }> {
      const [outcome, attempts] = (await redis.eval(REDEEM_SCRIPT, 1, keys.tan(flowId), digest, accountId, maxAttempts, nowMs)) as [RedeemOutcome, number];
      return { outcome, attempts: Number(attempts) };
    },

    /** Claims the resend cooldown; returns the seconds left when it is still running. */
    async claimCooldown(accountId: string, seconds: number): Promise<number> {
      if (seconds <= 0) return 0;
      const claimed = await redis.set(keys.cooldown(accountId), '1', 'EX', seconds, 'NX');
      if (claimed === 'OK') return 0;
      return Math.max(1, await redis.ttl(keys.cooldown(accountId)));
    },

    async releaseCooldown(accountId: string): Promise<void> {
      await redis.del(keys.cooldown(accountId));
    },

    /** Counts a mail against the account's hourly budget; the window starts with the first mail. */
    async countSend(accountId: string): Promise<number> {
      const key = keys.hourly(accountId);
      const count = await redis.incr(key);
      if (count === 1 || (await redis.ttl(key)) < 0) await redis.expire(key, 3600);
      return count;
    },
  };
}

export type TanStore = ReturnType<typeof createTanStore>;
