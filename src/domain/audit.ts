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
  | 'account.signed_out';

/** Hears each act as it is recorded (metrics); must not throw and must not wait. */
export type AuditListener = (type: AuditType, event: Omit<AuditEvent, 'type'>) => void;

export interface AuditLog {
  record(type: AuditType, event?: Omit<AuditEvent, 'type'>): Promise<void>;
}

/** Every act goes through `record`: subscribers hear all of them without code at each call site. */
export interface AuditEvents {
  subscribe(listener: AuditListener): void;
}

export function createAuditLog(repo: AuditRepo): AuditLog & AuditEvents {
  const listeners: AuditListener[] = [];
  return {
    async record(type, event = {}) {
      // The act happened whether or not its row can be written: subscribers hear it first.
      for (const listener of listeners) {
        try {
          listener(type, event);
        } catch {
          // An observer's fault never fails the act it observes.
        }
      }
      await repo.insert({ type, ...event });
    },
    subscribe(listener) {
      listeners.push(listener);
    },
  };
}
