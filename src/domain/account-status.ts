import type { Locale } from '../i18n/index.js';
import type { AccountsRepo } from '../store/pg/accounts-repo.js';
import type { Mailer } from '../mail/mailer.js';
import type { Account } from './accounts.js';
import type { AuditLog } from './audit.js';
import type { Lockout } from './lockout.js';
import type { Actor } from './policies/actor.js';
import { authorize } from './policies/authorize.js';
import { USER_MANAGER_ROLE } from './roles.js';
import type { SignOut } from './sign-out.js';

export interface AccountStatusDeps {
  /** An account by id or email; user_not_found otherwise. */
  resolve(ref: string): Promise<Account>;
  repo: Pick<AccountsRepo, 'block' | 'unblock' | 'holdersOfRole'>;
  /** The deployment's service desk (SUPPORT_CONTACT), for blocked people without a user manager. */
  supportContact?: string;
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
/** Whom a blocked person may ask: their organisation's user managers, else the service desk. */
export interface BlockedContacts {
  managers: Array<{ name: string | null; email: string }>;
  supportContact?: string;
}

export function createAccountStatus({ resolve, repo, supportContact, lockout, signOut, mailer, audit }: AccountStatusDeps) {
  return {
    /**
     * Blocks the account: it can no longer sign in, and its sessions, refresh and access
     * tokens stop working at once (SPEC 4.8, 5). Blocking a blocked account changes nothing.
     */
    async block(actor: Actor, ref: string): Promise<Account> {
      const account = await resolve(ref);
      authorize(actor, 'account.block', account);
      if (await repo.block(account.id)) await audit.record('account.blocked', { account_id: account.id, actor });
      // Ended even when it was blocked already: nothing of a blocked account may live on.
      await signOut.everywhere(account.id, { reason: 'blocked', actor });
      return resolve(account.id);
    },

    /** Unblocks: active again (pending if it never had a password). */
    async unblock(actor: Actor, ref: string): Promise<Account> {
      const account = await resolve(ref);
      authorize(actor, 'account.unblock', account);
      if (await repo.unblock(account.id)) await audit.record('account.unblocked', { account_id: account.id, actor });
      return resolve(account.id);
    },

    /** Told to a blocked person only after they proved their password (SPEC 4.8). */
    async blockedContacts(account: Pick<Account, 'organisation_id'>): Promise<BlockedContacts> {
      const managers = account.organisation_id ? await repo.holdersOfRole(account.organisation_id, USER_MANAGER_ROLE) : [];
      return managers.length > 0 ? { managers } : { managers: [], supportContact };
    },

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
