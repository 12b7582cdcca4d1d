import type { LockoutStore } from '../store/redis/lockout-store.js';
import type { AuditLog } from './audit.js';

export interface LockoutPolicy {
  threshold: number;
  baseSeconds: number;
  maxSeconds: number;
  hardLimit: number;
}

/**
 * Per-account failure counting for passwords and TANs (SPEC 4.8): from the threshold on,
 * each failure locks the account for a doubling time up to the maximum. Only a success
 * resets the count — requesting a new TAN does not.
 */
export function createLockout({ store, audit, policy, now = () => Date.now() }: { store: LockoutStore; audit: AuditLog; policy: LockoutPolicy; now?: () => number }) {
  return {
    async isLocked(accountId: string): Promise<boolean> {
      const [until, failures] = await Promise.all([store.lockedUntil(accountId), store.failures(accountId)]);
      return failures >= policy.hardLimit || (until !== undefined && until > now());
    },

    failures: (accountId: string) => store.failures(accountId),

    async recordFailure(accountId: string, ip?: string): Promise<number> {
      const count = await store.addFailure(accountId);
      if (count >= policy.threshold) {
        const seconds = Math.min(policy.baseSeconds * 2 ** (count - policy.threshold), policy.maxSeconds);
        await store.lock(accountId, now() + seconds * 1000, seconds);
        await audit.record('account.locked', { account_id: accountId, ip: ip ?? null, detail: { failures: count, seconds } });
      }
      return count;
    },

    reset: (accountId: string) => store.reset(accountId),
  };
}

export type Lockout = ReturnType<typeof createLockout>;
