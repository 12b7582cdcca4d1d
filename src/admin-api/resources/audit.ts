import { z } from 'zod';
import { pageFrom, pageQuery, pageSchema } from '../paging.js';
import { idParam, notFound, route } from '../route.js';

const auditEntry = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  type: z.string(),
  outcome: z.enum(['success', 'failure']),
  actor: z.string().nullable(),
  account_id: z.string().nullable(),
  client_id: z.string().nullable(),
  ip: z.string().nullable(),
  request_id: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});

/** The filters of `pforte audit list`; their values are checked by the audit query. */
const auditQuery = pageQuery
  .extend({
    account: z.string().optional(),
    type: z.string().optional(),
    since: z.string().optional(),
  })
  .strict();

/** The audit trail, newest first (SPEC 6, issue 10). */
export const auditRoutes = [
  route({
    method: 'get',
    path: '/audit',
    tag: 'audit',
    summary: 'Audit events, newest first; account (id or email), type and since (ISO 8601) filter',
    query: auditQuery,
    status: 200,
    response: pageSchema(auditEntry),
    // The query's `before` is what the cursor holds: a forged cursor is a problem of `cursor`.
    fields: { before: 'cursor' },
    handle: async ({ services, query: { account, type, since, ...page } }) =>
      pageFrom(page, 1, (before, limit) => services.auditQuery.list({ account, type, since, limit, before: before?.[0] }), (entry) => [entry.id]),
  }),
  route({
    method: 'get',
    path: '/audit/{id}',
    tag: 'audit',
    summary: 'One audit event by its id',
    params: idParam,
    status: 200,
    response: auditEntry,
    notFound: 'not_found',
    handle: async ({ services, params }) => {
      const entry = await services.auditQuery.get(params.id);
      if (!entry) throw notFound('not_found');
      return entry;
    },
  }),
];
