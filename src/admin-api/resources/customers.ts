import { z } from 'zod';
import { ValidationError } from '../../errors/index.js';
import { route } from '../route.js';

const row = z
  .object({
    policy_number: z.string().max(200),
    birth_date: z.string().max(50),
    name: z.string().max(500),
    email: z.string().max(320).optional(),
  })
  .strict();

/**
 * The file of `pforte customers import` as text (`csv`), or its rows as JSON (`rows`); one
 * of them. Rows are written as CSV and read by the same parser, so both are checked alike.
 */
const importBody = z
  .object({
    csv: z.string().optional(),
    rows: z.array(row).max(100_000).optional(),
  })
  .strict();

const COLUMNS = ['policy_number', 'birth_date', 'name', 'email'] as const;
const csvField = (value: string) => `"${value.replace(/"/g, '""')}"`;
const csvOf = (rows: z.infer<typeof row>[]) => [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((column) => csvField(r[column] ?? '')).join(','))].join('\n');

const importResult = z.object({
  imported: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  /** Rows refused, by line (the header is line 1); the good rows are imported anyway. */
  rejected: z.array(z.object({ line: z.number().int(), reason: z.string() })),
});

export const customerRoutes = [
  route({
    method: 'post',
    path: '/customers/import',
    tag: 'customers',
    summary: 'Upsert policyholders (SPEC 4.5) from CSV text (columns policy_number, birth_date, name, optional email; comma or semicolon) or JSON rows',
    body: importBody,
    status: 200,
    response: importResult,
    handle: async ({ services, body, actor }) => {
      if ((body.csv === undefined) === (body.rows === undefined)) throw new ValidationError({ csv: 'give either csv or rows' });
      return services.customers.importCsv(body.csv ?? csvOf(body.rows!), actor);
    },
  }),
];
