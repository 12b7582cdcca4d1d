import type { Db } from './db.js';

export interface AuditEvent {
  type: string;
  account_id?: string | null;
  client_id?: string | null;
  actor?: string | null;
  actor_kind?: string | null;
  actor_id?: string | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditRow extends Required<AuditEvent> {
  id: string;
  at: Date;
}

export function createAuditRepo(db: Db) {
  const table = () => db<AuditRow>('audit_events');
  /** Several events in one statement, in this order (ids ascending). */
  const insertMany = async (events: AuditEvent[]): Promise<void> => {
    await table().insert(events.map((event) => ({ ...event, detail: JSON.stringify(event.detail ?? {}) })) as never);
  };
  return {
    insert: (event: AuditEvent) => insertMany([event]),
    insertMany,
    async get(id: string): Promise<AuditRow | undefined> {
      return table().where({ id }).first();
    },
    /** Newest first; `beforeId` continues a listing below that event id (keyset paging). */
    async list({ accountId, actorId, type, since, beforeId, limit = 100 }: { accountId?: string; actorId?: string; type?: string; since?: Date; beforeId?: string; limit?: number } = {}): Promise<AuditRow[]> {
      const query = table().orderBy('id', 'desc').limit(limit);
      if (beforeId !== undefined) query.where('id', '<', beforeId);
      if (accountId) query.where({ account_id: accountId });
      if (actorId) query.where({ actor_id: actorId });
      if (type) query.where({ type });
      if (since) query.where('at', '>=', since);
      return query;
    },
  };
}

export type AuditRepo = ReturnType<typeof createAuditRepo>;
