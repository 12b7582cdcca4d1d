import type { RedisClient } from './connect.js';
import { defineScript } from './script.js';

/**
 * Redeems a TAN in one atomic step (Ory Kratos' model): the attempt is counted before
 * the comparison, a match deletes the TAN (single use), the last wrong attempt voids it.
 * KEYS[1] = TAN hash; ARGV = candidate digest, bound subject, max attempts, now (ms),
 * and "1" to count the attempt without accepting any TAN (during an account lock).
 * Returns {outcome, attempts}: outcome is ok | wrong | void | expired | missing.
 * An expired TAN is kept (it can no longer match) so that every later try says "expired",
 * not "used or replaced".
 */
const redeemTan = defineScript(`
local stored = redis.call('HMGET', KEYS[1], 'digest', 'subject', 'expires')
if not stored[1] or stored[2] ~= ARGV[2] then return {'missing', 0} end
if tonumber(stored[3]) <= tonumber(ARGV[4]) then
  return {'expired', 0}
end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
if ARGV[5] ~= '1' and stored[1] == ARGV[1] and attempts <= tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1])
  return {'ok', attempts}
end
if attempts >= tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1])
  return {'void', attempts}
end
return {'wrong', attempts}
`);

/** Counts one more mail in the hourly window (KEYS[1]), which starts with the first: one round trip. */
const countInWindow = defineScript(`
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
`);

export type RedeemOutcome = 'ok' | 'wrong' | 'void' | 'expired' | 'missing';

/** How long a TAN is remembered after it expired, to tell "expired" from "used or replaced". */
const EXPIRED_KEPT_SECONDS = 3600;

const keys = {
  tan: (flowId: string) => `pforte:tan:{${flowId}}`,
  cooldown: (cooldownKey: string) => `pforte:tan-cooldown:{${cooldownKey}}`,
  hourly: (limitKey: string) => `pforte:tan-sends:{${limitKey}}`,
};

export function createTanStore(redis: RedisClient) {
  return {
    /** Replaces any earlier TAN of the flow: only the newest one counts. */
    async save(flowId: string, entry: { digest: string; subject: string; expiresAtMs: number }, ttlSeconds: number): Promise<void> {
      const key = keys.tan(flowId);
      await redis
        .multi()
        .del(key)
        .hset(key, 'digest', entry.digest, 'subject', entry.subject, 'expires', String(entry.expiresAtMs), 'attempts', '0')
        .expire(key, ttlSeconds + EXPIRED_KEPT_SECONDS)
        .exec();
    },

    async redeem(flowId: string, attempt: { digest: string; subject: string; maxAttempts: number; nowMs: number; refuse: boolean }): Promise<{ outcome: RedeemOutcome; attempts: number }> {
      const [outcome, attempts] = (await redeemTan(
        redis, [keys.tan(flowId)], [attempt.digest, attempt.subject, attempt.maxAttempts, attempt.nowMs, attempt.refuse ? '1' : '0'],
      )) as [RedeemOutcome, number];
      return { outcome, attempts: Number(attempts) };
    },

    /** Claims a resend cooldown; returns the seconds left when it is still running. */
    async claimCooldown(cooldownKey: string, seconds: number): Promise<number> {
      if (seconds <= 0) return 0;
      const claimed = await redis.set(keys.cooldown(cooldownKey), '1', 'EX', seconds, 'NX');
      if (claimed === 'OK') return 0;
      return Math.max(1, await redis.ttl(keys.cooldown(cooldownKey)));
    },

    async releaseCooldown(cooldownKey: string): Promise<void> {
      await redis.del(keys.cooldown(cooldownKey));
    },

    /** Counts a mail against an hourly budget; the window starts with the first mail. */
    async countSend(limitKey: string): Promise<number> {
      return Number(await countInWindow(redis, [keys.hourly(limitKey)], [3600]));
    },
  };
}

export type TanStore = ReturnType<typeof createTanStore>;
