import { ValidationError } from '../errors/index.js';
import { DEFAULT_LOCALE, type Locale } from '../i18n/index.js';
import type { AccountRow } from '../store/pg/accounts-repo.js';
import type { AccountService, CreateAccountInput } from './accounts.js';
import type { Onboarding } from './onboarding.js';
import type { Actor } from './policies/actor.js';
import { authorize } from './policies/authorize.js';

/** An account an administrator creates (SPEC 6 `pforte user create`, the admin API). */
export interface AdministeredAccountInput extends Omit<CreateAccountInput, 'status' | 'actor'> {
  /** Create it pending and mail a one-time link to set the password (returned, shown once). */
  activation?: boolean;
  /** Generate an initial password, to be changed at the first sign-in (returned, shown once). */
  initialPassword?: boolean;
  /** With `password`: keep it, no change at the first sign-in. */
  permanent?: boolean;
  /** Language of the activation mail. */
  locale?: Locale;
}

export interface AdministeredAccount {
  account: AccountRow;
  activation_link?: string;
  initial_password?: string;
}

/**
 * What administrators do to accounts beyond the account service's rules: how a new
 * account gets its first password, and activation mails. The CLI and the admin API both
 * call these, so the rules (one way to a password; `permanent` only with a password) live once.
 */
export function createAccountAdministration({ accounts, onboarding }: { accounts: AccountService; onboarding: Onboarding }) {
  return {
    async create(actor: Actor, input: AdministeredAccountInput): Promise<AdministeredAccount> {
      const { activation = false, initialPassword = false, permanent = false, locale = DEFAULT_LOCALE, ...fields } = input;
      if ([fields.password !== undefined, activation, initialPassword].filter(Boolean).length > 1) {
        throw new ValidationError({ activation: 'password, activation and initial_password exclude each other' });
      }
      if (permanent && fields.password === undefined) throw new ValidationError({ permanent: 'needs a password' });
      authorize(actor, 'account.create', { id: '', organisation_id: null });
      const account = await accounts.create({ ...fields, ...(activation ? { status: 'pending' as const } : {}), actor });
      // The administrator knows a password they typed: the person replaces it first.
      if (fields.password !== undefined && !permanent) await onboarding.makePasswordInitial(account);
      return {
        account,
        ...(activation ? { activation_link: await onboarding.mailActivationLink(account, locale) } : {}),
        ...(initialPassword ? { initial_password: await onboarding.issueInitialPassword(account) } : {}),
      };
    },

    /** Mails a pending account a new activation link and returns it; earlier links stay valid until they expire. */
    async resendActivation(actor: Actor, ref: string, locale: Locale = DEFAULT_LOCALE): Promise<{ account: AccountRow; activation_link: string }> {
      const account = await accounts.show(ref);
      authorize(actor, 'account.resend_activation', account);
      return { account, activation_link: await onboarding.mailActivationLink(account, locale) };
    },
  };
}

export type AccountAdministration = ReturnType<typeof createAccountAdministration>;
