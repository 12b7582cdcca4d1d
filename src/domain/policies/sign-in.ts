import type { AccountRow } from '../../store/pg/accounts-repo.js';

/** Why an account may not sign in; each is also the catalogue code of what the person is told. */
export type SignInRefusalReason = 'account_blocked' | 'account_pending' | 'initial_password_expired';

export interface SignInRefusal {
  reason: SignInRefusalReason;
  /**
   * Whether the person may be told the reason (SPEC 4.8): only once they proved the
   * credential. Before that, every refusal looks like a wrong password.
   */
  mayTell: boolean;
}

type AccountState = Pick<AccountRow, 'status' | 'must_change_password' | 'password_expires_at'>;

/**
 * "May this account sign in, and what may we tell the user" (ARCHITECTURE-REVIEW P2): the
 * one rule every journey, the account page and the provider's claims ask. Undefined: it may.
 */
export function signInRefusal(account: AccountState, { proven, now = new Date() }: { proven: boolean; now?: Date }): SignInRefusal | undefined {
  const reason = refusalReason(account, now);
  return reason && { reason, mayTell: proven };
}

function refusalReason(account: AccountState, now: Date): SignInRefusalReason | undefined {
  if (account.status === 'blocked') return 'account_blocked';
  if (account.status === 'pending') return 'account_pending';
  // An initial password past its lifetime no longer signs in (SPEC 4.6).
  if (account.must_change_password && account.password_expires_at !== null && account.password_expires_at.getTime() <= now.getTime()) return 'initial_password_expired';
  return undefined;
}

/**
 * Whether the account's sessions and tokens keep working: not blocked, not pending. An
 * expired initial password stops new sign-ins only (its sessions proved it in time).
 */
export function isAccountUsable(account: Pick<AccountRow, 'status'>): boolean {
  return account.status === 'active';
}
