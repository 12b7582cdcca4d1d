import type { Locale } from '../i18n/index.js';
import type { Mailer } from '../mail/mailer.js';
import type { Account } from './accounts.js';
import type { AuditLog } from './audit.js';
import type { Lockout } from './lockout.js';
import type { Actor } from './policies/actor.js';
import { authorize } from './policies/authorize.js';
import type { SignOut } from './sign-out.js';

export interface AccountStatusDeps {
  /** An account by id or email; user_not_found otherwise. */
  resolve(ref: string): Promise<Account>;
  lockout: Pick<Lockout, 'lift'>;
  signOut: SignOut;
  mailer: Mailer;
  audit: AuditLog;
}

/**
 * What administrators, user managers and the owner do to an account's access (SPEC 4.8,
 * 4.9): unlock, block, sign out everywhere. The CLI, the account page, /manage and the
 * admin API call these, each with its actor; the policy decides.
 */
export function createAccountStatus({ resolve, lockout, signOut, mailer }: AccountStatusDeps) {
  return {
    /** Lifts every lock of the account, the hard stop included, and forgets its failures. */
    async unlock(actor: Actor, ref: string): Promise<Account> {
      const account = await resolve(ref);
      authorize(actor, 'account.unlock', account);
      await lockout.lift(account.id, actor);
      return account;
    },

    /**
     * "Sign out everywhere": every session of the account ends, this browser's too, and
     * every code, access and refresh token is revoked; the owner is told by mail.
     */
    async signOutEverywhere(actor: Actor, account: Account, { locale }: { locale: Locale }): Promise<void> {
      authorize(actor, 'account.sign_out_everywhere', account);
      await signOut.everywhere(account.id, { reason: 'sign_out_everywhere', actor });
      await mailer.send({ to: account.email, template: 'signed_out_everywhere', locale, data: { name: account.name ?? undefined } }).catch(() => undefined);
    },
  };
}

export type AccountStatusService = ReturnType<typeof createAccountStatus>;
