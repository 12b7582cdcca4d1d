import type { Locale } from '../i18n/index.js';
import type { Mailer } from '../mail/mailer.js';
import type { AccountRow, AccountsRepo } from '../store/pg/accounts-repo.js';
import type { AuditLog } from './audit.js';
import type { DeviceService } from './devices.js';
import type { Lockout } from './lockout.js';
import { PasswordRejected } from './onboarding.js';
import { unmetPasswordRules } from './password-policy.js';
import type { PasswordHasher } from './passwords.js';
import type { SignOut } from './sign-out.js';

/** Why a password is replaced: the person chose to (account page), or proved the mailbox (reset link). */
export type PasswordChangeReason = 'changed' | 'reset';

export interface SetNewPasswordOptions {
  reason: PasswordChangeReason;
  /** The session the change was made in keeps going; every other one ends. */
  keepSessionId?: string;
  /** The language of the "your password was changed" mail (accounts keep none). */
  locale: Locale;
  /** The second typing of the new password, when the form has one. */
  confirmation?: string;
}

export interface CredentialsDeps {
  repo: Pick<AccountsRepo, 'setPassword'>;
  hasher: PasswordHasher;
  audit: AuditLog;
  signOut: SignOut;
  devices: Pick<DeviceService, 'revokeAll'>;
  lockout: Pick<Lockout, 'lift'>;
  mailer: Mailer;
  passwordMinLength: number;
}

/**
 * A person's password is replaced (SPEC 4.7, 4.9): the one use case behind "Change
 * password" and the reset link, so both end what the old password opened alike.
 */
export function createCredentials({ repo, hasher, audit, signOut, devices, lockout, mailer, passwordMinLength }: CredentialsDeps) {
  return {
    /**
     * Checks the rules, stores the new hash, ends the account's other sessions and every
     * refresh token, revokes its trusted devices, lifts locks after a reset (the mailbox is
     * proven, SPEC 4.8), and tells the owner by mail. Throws PasswordRejected (nothing changed).
     */
    async setNewPassword(account: Pick<AccountRow, 'id' | 'email' | 'name'>, password: string, { reason, keepSessionId, locale, confirmation }: SetNewPasswordOptions): Promise<void> {
      if (confirmation !== undefined && password !== confirmation) throw new PasswordRejected('password_mismatch');
      const unmet = unmetPasswordRules(password, { minLength: passwordMinLength, email: account.email });
      if (unmet.length > 0) throw new PasswordRejected('password_rules', unmet);
      await repo.setPassword(account.id, await hasher.hash(password));
      const actor = `account:${account.id}`;
      await audit.record('password.changed', { account_id: account.id, actor, detail: { reason } });
      await signOut.everywhere(account.id, { reason: reason === 'reset' ? 'password_reset' : 'password_changed', keepSessionId, actor });
      await devices.revokeAll(account.id, actor);
      if (reason === 'reset') await lockout.lift(account.id, actor);
      // The password is changed whatever the mail server does; the mailer logs its failures.
      await mailer
        .send({ to: account.email, template: 'password_changed', locale, data: { reason, name: account.name ?? undefined } })
        .catch(() => undefined);
    },
  };
}

export type Credentials = ReturnType<typeof createCredentials>;
