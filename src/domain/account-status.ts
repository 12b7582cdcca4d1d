import type { Account } from './accounts.js';
import type { AuditLog } from './audit.js';
import type { Lockout } from './lockout.js';
import type { Actor } from './policies/actor.js';
import { authorize } from './policies/authorize.js';

export interface AccountStatusDeps {
  /** An account by id or email; user_not_found otherwise. */
  resolve(ref: string): Promise<Account>;
  lockout: Pick<Lockout, 'lift'>;
  audit: AuditLog;
}

/**
 * Unlocking (and blocking) accounts for administrators and user managers (SPEC 4.8): the
 * CLI, /manage and the admin API call these, each with its actor; the policy decides.
 */
export function createAccountStatus({ resolve, lockout }: AccountStatusDeps) {
  return {
    /** Lifts every lock of the account, the hard stop included, and forgets its failures. */
    async unlock(actor: Actor, ref: string): Promise<Account> {
      const account = await resolve(ref);
      authorize(actor, 'account.unlock', account);
      await lockout.lift(account.id, actor);
      return account;
    },
  };
}

export type AccountStatusService = ReturnType<typeof createAccountStatus>;
