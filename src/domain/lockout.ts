import { createHmac } from 'node:crypto';
import type { FailureKind, LockoutStore, LockScope } from '../store/redis/lockout-store.js';
import type { AuditActor, AuditLog } from './audit.js';

export type { FailureKind, LockScope };

export interface LockoutPolicy {
  /** Failures of one IP before that IP is locked out of the account. */
  threshold: number;
  baseSeconds: number;
  maxSeconds: number;
  /** Failures across all IPs before the whole account locks. */
  accountThreshold: number;
  /** Failures across all IPs before the account stays locked until it is lifted. */
  hardLimit: number;
}

/** What the owner is told when a lock starts: for how long, or until it is lifted. */
export type LockNotice = { scope: LockScope; seconds: number } | { scope: 'hard' };

/** Mails the owner; a failing mail must not change the answer to the sign-in. */
export type LockNotifier = (accountId: string, notice: LockNotice) => Promise<void>;

/** Where the hard stop is kept so that it survives Redis (Postgres: accounts.hard_locked_at). */
export interface HardStops {
  /** Asked for stand-in subjects too, so known and unknown addresses cost the same. */
  isHardLocked(subject: string): Promise<boolean>;
  setHardLocked(accountId: string, isLocked: boolean): Promise<void>;
}

/** Used for connections without an address (the CLI, tests); never a real client IP. */
const NO_IP = '-';

/**
 * Failure counting (SPEC 4.8), separately for passwords and TANs, on two levels:
 * - per (account, IP): from `threshold` on, each failure locks that IP out of the account
 *   for a doubling time up to the maximum. An attacker's IP locks only itself.
 * - per account: each IP adds at most `threshold` failures to the account's count, so
 *   only many IPs reach `accountThreshold` (the whole account locks, doubling) and
 *   `hardLimit` (it stays locked until `lift`: `pforte user unlock`, later a password reset).
 * A run ends when that same factor is proven again from that IP (a right password ends
 * password failures, a right TAN TAN failures); requesting a new TAN ends nothing. Nobody
 * can sign in while locked, so no sign-in clears a lock. The owner is mailed once when
 * locks start (again only after a successful sign-in or a quiet day), and when a hard stop starts.
 * The counters live in Redis; the hard stop is also written to `hardStops` (Postgres), so
 * a Redis flush or failover does not lift it.
 */
export function createLockout({ store, hardStops, audit, policy, hmacKey, notify, now = () => Date.now() }: {
  store: LockoutStore;
  hardStops?: HardStops;
  audit: AuditLog;
  policy: LockoutPolicy;
  /** Keys the stand-in subject of unknown addresses; a Redis dump does not list tried addresses. */
  hmacKey: string;
  notify?: LockNotifier;
  now?: () => number;
}) {
  const KINDS: readonly FailureKind[] = ['pwd', 'otp'];
  const lockSeconds = (count: number, threshold: number) => Math.min(policy.baseSeconds * 2 ** (count - threshold), policy.maxSeconds);
  const isAccount = (subject: string) => !subject.startsWith('unknown:');

  async function startLock(subject: string, scope: LockScope, ip: string, seconds: number, detail: Record<string, unknown>) {
    const wasLocked = ((await store.lockedUntil(subject, scope, ip)) ?? 0) > now();
    await store.lock(subject, scope, ip, now() + seconds * 1000, seconds);
    if (wasLocked || !isAccount(subject)) return;
    await audit.record('account.locked', { account_id: subject, ip: ip === NO_IP ? null : ip, detail: { ...detail, scope, seconds } });
    if (await store.markNoticed(subject, 'lock')) await notify?.(subject, { scope, seconds });
  }

  return {
    /**
     * Whom failures count against: the account, or for an address without one a keyed
     * stand-in, so an unknown address is locked exactly like a known one and the page
     * (and its time) tells neither apart.
     */
    subjectFor(accountId: string | undefined, email: string): string {
      return accountId ?? `unknown:${createHmac('sha256', hmacKey).update(email.trim().toLowerCase()).digest('base64url')}`;
    },

    /**
     * `hardStop`: the hard stop as read with the account's row in this same request (false
     * for an address without one), which saves asking Postgres again. It is safe: a hard
     * stop that starts meanwhile is in Redis too (its count reached the limit), and the
     * Postgres mark only matters once Redis lost that count.
     */
    async isLocked(subject: string, ip: string = NO_IP, { hardStop }: { hardStop?: boolean } = {}): Promise<boolean> {
      const [{ accountUntil, ipUntil, failures: counts }, isHardLocked] = await Promise.all([store.lockState(subject, ip), hardStop ?? hardStops?.isHardLocked(subject) ?? false]);
      return isHardLocked || counts.some((count) => count >= policy.hardLimit) || [accountUntil, ipUntil].some((until) => until !== undefined && until > now());
    },

    /** The account-wide run of failures of a kind. */
    failures: (subject: string, kind: FailureKind) => store.failures(subject, kind),

    async recordFailure(subject: string, kind: FailureKind, ip: string = NO_IP): Promise<void> {
      const ipCount = await store.addIpFailure(subject, ip, kind);
      // Beyond its threshold an IP only prolongs its own lock: one IP never reaches the account's budgets.
      const count = ipCount <= policy.threshold ? await store.addFailure(subject, kind) : await store.failures(subject, kind);
      if (ipCount >= policy.threshold) await startLock(subject, 'ip', ip, lockSeconds(ipCount, policy.threshold), { kind, failures: ipCount });
      if (count >= policy.accountThreshold && ipCount <= policy.threshold) {
        await startLock(subject, 'account', ip, lockSeconds(count, policy.accountThreshold), { kind, failures: count });
      }
      if (count === policy.hardLimit && ipCount <= policy.threshold && isAccount(subject)) {
        await hardStops?.setHardLocked(subject, true);
        await audit.record('account.locked', { account_id: subject, ip: ip === NO_IP ? null : ip, detail: { kind, failures: count, scope: 'hard' } });
        if (await store.markNoticed(subject, 'hard')) await notify?.(subject, { scope: 'hard' });
      }
    },

    /** Ends the runs of failures of the factors just proven from this IP. */
    async reset(subject: string, proven: readonly string[], ip: string = NO_IP): Promise<void> {
      await Promise.all(KINDS.filter((kind) => proven.includes(kind)).map((kind) => store.reset(subject, kind, ip)));
    },

    /**
     * Lifts every lock of the account and its hard stop, and forgets its failures: the one
     * way out of a hard stop (`pforte user unlock`; the password reset will call it too).
     */
    async lift(accountId: string, actor?: AuditActor): Promise<void> {
      await store.clear(accountId);
      await hardStops?.setHardLocked(accountId, false);
      await audit.record('account.unlocked', { account_id: accountId, actor: actor ?? null });
    },
  };
}

export type Lockout = ReturnType<typeof createLockout>;
