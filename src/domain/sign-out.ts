import type { AuditActor, AuditLog } from './audit.js';

/** Ends an account's sessions but one, and revokes its grants (the provider's tokens). */
export type EndAccountSessions = (accountId: string, options: { keepSessionId?: string }) => Promise<{ sessions: number; grants: number }>;

/** Why everything of an account ends; recorded in the audit event. */
export type SignOutReason = 'sign_out_everywhere' | 'password_changed' | 'password_reset' | 'blocked' | 'deleted';

/**
 * "Sign out everywhere" (SPEC 4.9) and what a password change, a reset or a block does to
 * the account's other browsers and relying parties: their sessions end, and every code,
 * access and refresh token of the account is revoked at once.
 */
export function createSignOut({ endAccountSessions, audit }: { endAccountSessions: EndAccountSessions; audit: AuditLog }) {
  return {
    async everywhere(accountId: string, { reason, keepSessionId, actor }: { reason: SignOutReason; keepSessionId?: string; actor?: AuditActor }): Promise<void> {
      const ended = await endAccountSessions(accountId, { keepSessionId });
      await audit.record('account.signed_out', { account_id: accountId, actor: actor ?? null, detail: { reason, ...ended } });
    },
  };
}

export type SignOut = ReturnType<typeof createSignOut>;
