import type { AuditEvent, AuditRepo } from '../store/pg/audit-repo.js';
import { currentRequest } from '../observability/request-scope.js';
import { actorColumns, type Actor } from './policies/actor.js';

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
  | 'client.secret_rotated'
  | 'client.registered'
  | 'client.initial_token_created'
  | 'keys.rotated'
  | 'keys.retired'
  | 'keys.reencrypted'
  | 'device.trusted'
  | 'device.used'
  | 'device.revoked'
  | 'account.locked'
  | 'account.unlocked'
  | 'account.blocked'
  | 'account.unblocked'
  | 'tan.sent'
  | 'tan.failed'
  | 'tan.void'
  | 'password.changed'
  | 'password.change_failed'
  | 'activation.issued'
  | 'initial_password.issued'
  | 'customers.imported'
  | 'admin_api.request'
  | 'admin_api.failed'
  | 'account.signed_out'
  | 'registration.requested'
  | 'password_reset.requested';

/** An actor, or (older callers) a free-text label that fills only the `actor` column. */
export type AuditActor = Actor | string | null | undefined;

export interface AuditRecord extends Omit<AuditEvent, 'type' | 'actor' | 'actor_kind' | 'actor_id'> {
  actor?: AuditActor;
}

/** Hears each act as it is recorded (metrics); must not throw and must not wait. */
export type AuditListener = (type: AuditType, event: Omit<AuditEvent, 'type'>) => void;

export interface AuditLog {
  record(type: AuditType, event?: AuditRecord): Promise<void>;
}

/**
 * Acts recorded during one step and written together at `flush` (one multi-row insert);
 * subscribers hear each as it is recorded. The caller flushes on every way out of the step.
 */
export interface AuditBatch extends AuditLog {
  flush(): Promise<void>;
}

export interface AuditBatches {
  batch(): AuditBatch;
}

/** Every act goes through `record`: subscribers hear all of them without code at each call site. */
export interface AuditEvents {
  subscribe(listener: AuditListener): void;
}

export function createAuditLog(repo: AuditRepo): AuditLog & AuditEvents & AuditBatches {
  const listeners: AuditListener[] = [];
  /** The row of an act, once every subscriber has heard of it. */
  const hear = (type: AuditType, { actor, ...given }: AuditRecord = {}): AuditEvent => {
    const who = actor == null ? { actor: null } : typeof actor === 'string' ? { actor } : actorColumns(actor);
    // An act done while serving a request names it and its caller, whoever recorded it.
    const request = currentRequest();
    const event = request ? { ...given, ip: given.ip ?? request.ip, detail: { request_id: request.requestId, ...given.detail } } : given;
    // The act happened whether or not its row can be written: subscribers hear it first.
    for (const listener of listeners) {
      try {
        listener(type, event);
      } catch {
        // An observer's fault never fails the act it observes.
      }
    }
    return { type, ...event, ...who };
  };
  return {
    async record(type, event) {
      await repo.insert(hear(type, event));
    },
    batch() {
      let rows: AuditEvent[] = [];
      return {
        async record(type, event) {
          rows.push(hear(type, event));
        },
        async flush() {
          const taken = rows;
          rows = [];
          if (taken.length > 0) await repo.insertMany(taken);
        },
      };
    },
    subscribe(listener) {
      listeners.push(listener);
    },
  };
}
