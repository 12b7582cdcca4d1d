import { randomInt } from 'node:crypto';
import { AppError, ValidationError } from '../errors/index.js';
import type { Locale } from '../i18n/index.js';
import type { Mailer } from '../mail/mailer.js';
import type { AccountRow, AccountsRepo } from '../store/pg/accounts-repo.js';
import type { AuditLog } from './audit.js';
import type { OneTimeLinks } from './one-time-links.js';
import { unmetPasswordRules, type PasswordRule } from './password-policy.js';
import type { PasswordHasher } from './passwords.js';

export interface OnboardingPolicy {
  passwordMinLength: number;
  initialPasswordDays: number;
  activationLinkDays: number;
}

export interface OnboardingDeps {
  repo: AccountsRepo;
  hasher: PasswordHasher;
  links: OneTimeLinks;
  audit: AuditLog;
  policy: OnboardingPolicy;
  mailer: Mailer;
  /** The absolute URL of an activation link's page. */
  activationUrl: (token: string) => string;
  clock?: () => Date;
}

/** A new password typed twice failed; `rules` lists every rule it breaks (for the form). */
export class PasswordRejected extends ValidationError {
  constructor(readonly reason: 'password_mismatch' | 'password_rules' | 'password_unchanged', readonly rules: PasswordRule[] = []) {
    super({ password: reason });
  }
}

/** A new password typed twice: equal and meeting every rule, else PasswordRejected. */
export function checkNewPassword(password: string, confirmation: string, { minLength, email }: { minLength: number; email: string }): void {
  if (password !== confirmation) throw new PasswordRejected('password_mismatch');
  const unmet = unmetPasswordRules(password, { minLength, email });
  if (unmet.length > 0) throw new PasswordRejected('password_rules', unmet);
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const SYMBOLS = '!#%+-=?';

/** A readable random password that meets the rules: letters and digits plus one of each class. */
function generatePassword(length: number): string {
  const pick = (chars: string) => chars[randomInt(chars.length)]!;
  const body = Array.from({ length: Math.max(length, 12) - 3 }, () => pick(ALPHABET));
  return [...body, pick('ABCDEFGHJKLMNPQRSTUVWXYZ'), pick('23456789'), pick(SYMBOLS)].join('');
}

/**
 * How accounts get their first password (SPEC 4.6): an activation link leading to "set
 * your password", or an initial password (for letters) that expires and must be changed
 * at the first sign-in. Setting a password ends trust in devices (they check
 * password_changed_at).
 */
export function createOnboarding({ repo, hasher, links, audit, policy, mailer, activationUrl, clock = () => new Date() }: OnboardingDeps) {
  const checkAccountPassword = (account: AccountRow, password: string, confirmation: string) =>
    checkNewPassword(password, confirmation, { minLength: policy.passwordMinLength, email: account.email });

  async function setPassword(account: AccountRow, password: string, confirmation: string): Promise<AccountRow> {
    checkAccountPassword(account, password, confirmation);
    const updated = await repo.setPassword(account.id, await hasher.hash(password));
    await audit.record('password.changed', { account_id: account.id });
    return updated!;
  }

  /** Initial passwords, generated or set by an administrator, expire alike. */
  async function setInitialPasswordHash(account: AccountRow, passwordHash: string): Promise<void> {
    const expiresAt = new Date(clock().getTime() + policy.initialPasswordDays * 86400_000);
    await repo.setPassword(account.id, passwordHash, { mustChange: true, expiresAt });
    await audit.record('initial_password.issued', { account_id: account.id });
  }

  /** The account an activation link is for, while it is valid (to show its form). */
  async function accountForActivation(token: string): Promise<AccountRow | undefined> {
    const accountId = await links.peek('activation', token);
    return accountId ? repo.findById(accountId) : undefined;
  }

  return {
    /** A link to "set your password", valid ACTIVATION_LINK_DAYS; only its hash is stored. */
    async activationLink(account: AccountRow): Promise<string> {
      const token = await links.issue('activation', account.id, policy.activationLinkDays * 86400);
      await audit.record('activation.issued', { account_id: account.id });
      return token;
    },

    /**
     * Issues an activation link and mails it (SPEC 4.6); returns the link's URL for the
     * administrator too. Only a pending account (no password yet) gets one.
     */
    async mailActivationLink(account: AccountRow, locale: Locale): Promise<string> {
      if (account.status !== 'pending') throw new AppError('account_not_pending', { message: 'the account is not pending activation (it is active or blocked): it needs no activation link' });
      const link = activationUrl(await this.activationLink(account));
      await mailer.send({ to: account.email, template: 'activation', locale, data: { link, days: policy.activationLinkDays, name: account.name ?? undefined } });
      return link;
    },

    /** A generated password that must be changed at first sign-in and expires before. */
    async issueInitialPassword(account: AccountRow): Promise<string> {
      const password = generatePassword(Math.max(policy.passwordMinLength, 12));
      await setInitialPasswordHash(account, await hasher.hash(password));
      return password;
    },

    /**
     * The password an administrator gave at creation becomes an initial one: they know it,
     * so the person must replace it at the first sign-in, and it expires like a generated one.
     */
    async makePasswordInitial(account: AccountRow): Promise<void> {
      if (!account.password_hash) throw new ValidationError({ password: 'no_password' });
      await setInitialPasswordHash(account, account.password_hash);
    },

    accountForActivation,

    /**
     * Sets the password through an activation link. The rules are checked before the link
     * is used up, so a rejected password can be corrected; of parallel submits one wins.
     */
    async activate(token: string, password: string, confirmation: string): Promise<AccountRow | undefined> {
      const account = await accountForActivation(token);
      if (!account) return undefined;
      checkAccountPassword(account, password, confirmation);
      if ((await links.redeem('activation', token)) !== account.id) return undefined;
      const activated = await setPassword(account, password, confirmation);
      // The link came by mail: using it proves the address.
      await repo.markEmailVerified(account.id);
      return { ...activated, email_verified: true };
    },

    /**
     * Replaces an initial password at the first sign-in. Typing the same one again is
     * refused: whoever issued it (an administrator, a letter) would still know it.
     */
    async changeInitialPassword(account: AccountRow, password: string, confirmation: string): Promise<AccountRow> {
      checkAccountPassword(account, password, confirmation);
      if (await hasher.verify(password, account.password_hash)) throw new PasswordRejected('password_unchanged');
      return setPassword(account, password, confirmation);
    },
  };
}

export type Onboarding = ReturnType<typeof createOnboarding>;
