import type { FailureKind, LockoutStore } from '../store/redis/lockout-store.js';
import type { AuditLog } from './audit.js';

export type { FailureKind };

export interface LockoutPolicy {
  threshold: number;
  baseSeconds: number;
  maxSeconds: number;
  hardLimit: number;
}

/**
 * Per-account failure counting (SPEC 4.8), separately for passwords and TANs: from the
 * threshold on, each failure locks the account for a doubling time up to the maximum;
 * at the hard limit it stays locked. A run of failures ends only when that same factor
 * is proven again (a right password ends password failures, a right TAN TAN failures);
 * requesting a new TAN ends nothing. Nobody can sign in while locked, so no sign-in can
 * clear a hard stop.
 */
export function createLockout({ store, audit, policy, now = () => Date.now() }: { store: LockoutStore; audit: AuditLog; policy: LockoutPolicy; now?: () => number }) {
  const KINDS: readonly FailureKind[] = ['pwd', 'otp'];
  return {
    async isLocked(accountId: string): Promise<boolean> {
      const [until, ...counts] = await Promise.all([store.lockedUntil(accountId), ...KINDS.map((kind) => store.failures(accountId, kind))]);
      return counts.some((count) => count >= policy.hardLimit) || (until !== undefined && until > now());
    },

    failures: (accountId: string, kind: FailureKind) => store.failures(accountId, kind),

    async recordFailure(accountId: string, kind: FailureKind, ip?: string): Promise<number> {
      const count = await store.addFailure(accountId, kind);
      if (count >= policy.threshold) {
        const seconds = Math.min(policy.baseSeconds * 2 ** (count - policy.threshold), policy.maxSeconds);
        await store.lock(accountId, now() + seconds * 1000, seconds);
        await audit.record('account.locked', { account_id: accountId, ip: ip ?? null, detail: { kind, failures: count, seconds } });
      }
      return count;
    },

    /** Ends the runs of failures of the factors just proven. */
    async reset(accountId: string, proven: readonly string[]): Promise<void> {
      await Promise.all(KINDS.filter((kind) => proven.includes(kind)).map((kind) => store.reset(accountId, kind)));
    },
  };
}

export type Lockout = ReturnType<typeof createLockout>;
