import type { AuditEvent, AuditRepo } from '../store/pg/audit-repo.js';

/** Security-relevant acts, named once so that logs, metrics and queries agree. */
export type AuditType =
  | 'login.success'
  | 'login.failure'
  | 'account.created'
  | 'account.updated'
  | 'org.created'
  | 'org.updated'
  | 'role.created'
  | 'client.created'
  | 'client.updated'
  | 'client.deleted'
  | 'keys.rotated'
  | 'device.trusted'
  | 'device.used'
  | 'device.revoked'
  | 'account.locked'
  | 'account.unlocked'
  | 'tan.sent'
  | 'tan.failed'
  | 'tan.void'
  | 'password.changed'
  | 'activation.issued'
  | 'initial_password.issued'
  | 'customers.imported'
  | 'account.signed_out'
  | 'registration.requested'
  | 'password_reset.requested';

export interface AuditLog {
  record(type: AuditType, event?: Omit<AuditEvent, 'type'>): Promise<void>;
}

export function createAuditLog(repo: AuditRepo): AuditLog {
  return {
    async record(type, event = {}) {
      await repo.insert({ type, ...event });
    },
  };
}
