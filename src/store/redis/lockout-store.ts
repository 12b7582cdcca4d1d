import type { RedisClient } from './connect.js';

/** What failed: a password, or a TAN. Each has its own run of consecutive failures. */
export type FailureKind = 'pwd' | 'otp';

/** Which lock: the one of a single client IP, or the one of the whole account. */
export type LockScope = 'ip' | 'account';

/**
 * Keys of one subject (an account id, or a stand-in for an unknown address) share one hash
 * tag. The IP part is only ever a client address as Koa reports it (`ctx.ip`).
 */
const keys = {
  failures: (subject: string, kind: FailureKind) => `pforte:lockout:{${subject}}:failures:${kind}`,
  until: (subject: string) => `pforte:lockout:{${subject}}:until`,
  ipFailures: (subject: string, ip: string, kind: FailureKind) => `pforte:lockout:{${subject}}:ip:${ip}:failures:${kind}`,
  ipUntil: (subject: string, ip: string) => `pforte:lockout:{${subject}}:ip:${ip}:until`,
  /** The IPs with failures, so an unlock finds every key without scanning. */
  ips: (subject: string) => `pforte:lockout:{${subject}}:ips`,
  noticed: (subject: string, notice: string) => `pforte:lockout:{${subject}}:noticed:${notice}`,
};

/** Consecutive failures are remembered for a day; a lock ends by itself (TTL). */
export const FAILURE_MEMORY_SECONDS = 24 * 3600;

const KINDS: readonly FailureKind[] = ['pwd', 'otp'];

export function createLockoutStore(redis: RedisClient) {
  const untilKey = (subject: string, scope: LockScope, ip: string) => (scope === 'ip' ? keys.ipUntil(subject, ip) : keys.until(subject));
  const readUntil = async (key: string) => {
    const value = await redis.get(key);
    return value ? Number(value) : undefined;
  };

  return {
    /** Counts a failure of this IP against this subject; returns the IP's run length. */
    async addIpFailure(subject: string, ip: string, kind: FailureKind): Promise<number> {
      const key = keys.ipFailures(subject, ip, kind);
      const [[, count]] = (await redis
        .multi()
        .incr(key)
        .expire(key, FAILURE_MEMORY_SECONDS)
        .sadd(keys.ips(subject), ip)
        .expire(keys.ips(subject), FAILURE_MEMORY_SECONDS)
        .exec()) as [[unknown, number]];
      return count;
    },
    /** Counts a failure against the whole account; returns the account's run length. */
    async addFailure(subject: string, kind: FailureKind): Promise<number> {
      const key = keys.failures(subject, kind);
      const [[, count]] = (await redis.multi().incr(key).expire(key, FAILURE_MEMORY_SECONDS).exec()) as [[unknown, number]];
      return count;
    },
    async failures(subject: string, kind: FailureKind): Promise<number> {
      return Number((await redis.get(keys.failures(subject, kind))) ?? 0);
    },
    async ipFailures(subject: string, ip: string, kind: FailureKind): Promise<number> {
      return Number((await redis.get(keys.ipFailures(subject, ip, kind))) ?? 0);
    },
    async lock(subject: string, scope: LockScope, ip: string, untilMs: number, seconds: number): Promise<void> {
      await redis.set(untilKey(subject, scope, ip), String(untilMs), 'EX', Math.max(1, seconds));
    },
    lockedUntil: (subject: string, scope: LockScope, ip: string) => readUntil(untilKey(subject, scope, ip)),
    /** Everything a lock decision needs, in one round trip (it runs for every password post). */
    async lockState(subject: string, ip: string): Promise<{ accountUntil?: number; ipUntil?: number; failures: number[] }> {
      const values = await redis.mget(keys.until(subject), keys.ipUntil(subject, ip), ...KINDS.map((kind) => keys.failures(subject, kind)));
      const [accountUntil, ipUntil, ...failures] = values.map((value) => (value ? Number(value) : undefined));
      return { accountUntil, ipUntil, failures: failures.map((count) => count ?? 0) };
    },
    /** Marks a notice as sent; true only for the first caller while the mark lasts. */
    async markNoticed(subject: string, notice: string): Promise<boolean> {
      return (await redis.set(keys.noticed(subject, notice), '1', 'EX', FAILURE_MEMORY_SECONDS, 'NX')) === 'OK';
    },
    /** Ends the runs of `kind`: the account's and this IP's; the other IPs' runs go on. */
    async reset(subject: string, kind: FailureKind, ip: string): Promise<void> {
      await redis.del(keys.failures(subject, kind), keys.ipFailures(subject, ip, kind), keys.noticed(subject, 'lock'));
    },
    /** Forgets everything about the subject: every count, every lock, the hard stop. */
    async clear(subject: string): Promise<void> {
      const ips = await redis.smembers(keys.ips(subject));
      await redis.del(
        keys.until(subject),
        keys.ips(subject),
        ...['lock', 'hard'].map((notice) => keys.noticed(subject, notice)),
        ...KINDS.map((kind) => keys.failures(subject, kind)),
        ...ips.flatMap((ip) => [keys.ipUntil(subject, ip), ...KINDS.map((kind) => keys.ipFailures(subject, ip, kind))]),
      );
    },
  };
}

export type LockoutStore = ReturnType<typeof createLockoutStore>;
