import { z } from 'zod';
import { NotFoundError, ValidationError } from '../errors/index.js';
import type { AuditRepo, AuditRow } from '../store/pg/audit-repo.js';

/** One audit event as `pforte audit list` (and later the admin API) shows it. */
export interface AuditEntry {
  id: string;
  at: Date;
  type: string;
  outcome: 'success' | 'failure';
  actor: string | null;
  /** The account the event is about. */
  account_id: string | null;
  client_id: string | null;
  ip: string | null;
  request_id: string | null;
  detail: Record<string, unknown>;
}

/** Event ids are bigserial numbers; 18 digits stay below the bigint maximum. */
const EVENT_ID = /^[1-9]\d{0,17}$/;

const query = z.object({
  account: z.string().trim().min(1).max(320).optional(),
  type: z.string().trim().regex(/^[a-z_]+(\.[a-z_]+)*$/, 'not_an_event_type').max(100).optional(),
  since: z.iso.datetime({ offset: true, message: 'not_an_iso_time' }).optional(),
  limit: z.coerce.number().int('not_a_whole_number').min(1, 'too_small').max(1000, 'too_large').default(100),
  /** Only events older than this event id (the admin API's paging). */
  before: z.string().regex(EVENT_ID, 'not_an_event_id').optional(),
});

export type AuditQuery = z.input<typeof query>;

/** Event types that record a refusal; every other event records something that happened. */
const FAILURE_TYPE = /\.(failure|failed|void)$/;

const entryOf = (row: AuditRow): AuditEntry => ({
  id: String(row.id),
  at: row.at,
  type: row.type,
  outcome: FAILURE_TYPE.test(row.type) ? 'failure' : 'success',
  actor: row.actor,
  account_id: row.account_id,
  client_id: row.client_id,
  ip: row.ip,
  request_id: typeof row.detail?.request_id === 'string' ? row.detail.request_id : null,
  detail: row.detail ?? {},
});

/**
 * Reads the audit trail, newest first. An account is named by id or email; events of an
 * account that no longer exists are still found by its id.
 */
export function createAuditQuery({ repo, findAccountId }: { repo: AuditRepo; findAccountId: (ref: string) => Promise<string | undefined> }) {
  return {
    /** One event by its id (the admin API's GET /audit/{id}); undefined for an id that names none. */
    async get(id: string): Promise<AuditEntry | undefined> {
      if (!EVENT_ID.test(id)) return undefined;
      const row = await repo.get(id);
      return row ? entryOf(row) : undefined;
    },
    async list(input: AuditQuery = {}): Promise<AuditEntry[]> {
      const parsed = query.safeParse(input);
      if (!parsed.success) throw new ValidationError(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? 'query'), i.message])));
      const { account, type, since, limit, before } = parsed.data;
      const accountId = account === undefined ? undefined : await findAccountId(account);
      if (account !== undefined && !accountId) throw new NotFoundError('user');
      const rows = await repo.list({ accountId, type, since: since ? new Date(since) : undefined, beforeId: before, limit });
      return rows.map(entryOf);
    },
  };
}
