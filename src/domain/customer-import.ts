import { parse } from 'csv-parse/sync';
import type { PolicyholderRecord, PolicyholdersRepo, UpsertCounts } from '../store/pg/policyholders-repo.js';
import { normaliseEmail } from './accounts.js';
import type { AuditActor, AuditLog } from './audit.js';
import { UNSHOWABLE } from './shown-text.js';

/**
 * `pforte customers import FILE` (SPEC 4.5): policyholder records from a CSV file (UTF-8,
 * comma or semicolon, header row). Good rows are kept when others are rejected; every
 * rejection names its line, counted from 1 with the header as line 1.
 */

export interface Rejection {
  line: number;
  reason: string;
}

export interface ImportResult extends UpsertCounts {
  rejected: Rejection[];
}

const REQUIRED_COLUMNS = ['policy_number', 'birth_date', 'name'] as const;
const KNOWN_COLUMNS = new Set<string>([...REQUIRED_COLUMNS, 'email']);
/** Letters, digits and the separators policy numbers are printed with. */
const POLICY_NUMBER = /^[A-Z0-9][A-Z0-9./-]{0,63}$/;
const EARLIEST_BIRTH_YEAR = 1900;

/** Upper case, spaces removed: "ab 123/4" and "AB123/4" are one policy. */
export function normalisePolicyNumber(input: string): string | undefined {
  const value = input.replace(/\s+/g, '').toUpperCase();
  return POLICY_NUMBER.test(value) ? value : undefined;
}

/** `YYYY-MM-DD` or `DD.MM.YYYY` naming a real calendar day between 1900 and today, as `YYYY-MM-DD`. */
export function parseBirthDate(input: string, today: Date): string | undefined {
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input)?.slice(1) ?? /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(input)?.slice(1).reverse();
  if (!parts) return undefined;
  const [year, month, day] = parts.map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  const isRealDay = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (!isRealDay || year < EARLIEST_BIRTH_YEAR || date.getTime() > today.getTime()) return undefined;
  return date.toISOString().slice(0, 10);
}

/** The header's separator: a semicolon file has more semicolons than commas in its first line. */
function detectDelimiter(text: string): ',' | ';' {
  const header = text.slice(0, text.search(/\r?\n|$/));
  return (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ';' : ',';
}

function validateRow(cells: Record<string, string>, today: Date): PolicyholderRecord | string {
  const value = (column: string) => (cells[column] ?? '').trim();
  if (Object.values(cells).some((cell) => UNSHOWABLE.test(cell))) return 'control characters and bidi overrides are not allowed';
  const policyNumber = normalisePolicyNumber(value('policy_number'));
  if (!policyNumber) return 'policy_number: missing or not a policy number (letters, digits, . / -; at most 64)';
  const birthDate = parseBirthDate(value('birth_date'), today);
  if (!birthDate) return 'birth_date: not a real date between 1900 and today in YYYY-MM-DD or DD.MM.YYYY';
  const name = value('name');
  if (name.length === 0 || name.length > 200) return 'name: missing or longer than 200 characters';
  const emailText = value('email');
  const email = emailText ? normaliseEmail(emailText) : null;
  if (email === undefined) return 'email: not an email address';
  return { policy_number: policyNumber, birth_date: birthDate, name, email };
}

/** Reads the file's rows; the header must name policy_number, birth_date and name. */
export function parseCustomerCsv(text: string, today: Date): { records: PolicyholderRecord[]; rejected: Rejection[] } {
  const rejected: Rejection[] = [];
  const records: PolicyholderRecord[] = [];
  const firstLineOf = new Map<string, number>();
  let header: string[] | undefined;
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text, {
      bom: true,
      delimiter: detectDelimiter(text.replace(/^\uFEFF/, '')),
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as typeof rows;
  } catch (error) {
    // Broken quoting leaves no trustworthy row boundaries after it: the file is refused whole.
    const line = (error as { lines?: number }).lines ?? 1;
    return { records: [], rejected: [{ line, reason: 'broken quoting: the file was not imported; fix this line and import again' }] };
  }
  for (const { record, info } of rows) {
    if (!header) {
      header = record.map((name) => name.trim().toLowerCase());
      const missing = REQUIRED_COLUMNS.filter((column) => !header!.includes(column));
      const unknown = header.filter((column) => !KNOWN_COLUMNS.has(column));
      if (missing.length > 0 || unknown.length > 0) {
        const problems = [...missing.map((c) => `missing column ${c}`), ...unknown.map((c) => `unknown column ${JSON.stringify(c.slice(0, 40))}`)];
        return { records: [], rejected: [{ line: info.lines, reason: problems.join('; ') }] };
      }
      continue;
    }
    if (record.length !== header.length) {
      rejected.push({ line: info.lines, reason: `expected ${header.length} columns, found ${record.length}` });
      continue;
    }
    const row = validateRow(Object.fromEntries(header.map((column, i) => [column, record[i]!])), today);
    if (typeof row === 'string') {
      rejected.push({ line: info.lines, reason: row });
      continue;
    }
    const first = firstLineOf.get(row.policy_number);
    if (first !== undefined) {
      rejected.push({ line: info.lines, reason: `policy_number ${row.policy_number} already on line ${first}` });
      continue;
    }
    firstLineOf.set(row.policy_number, info.lines);
    records.push(row);
  }
  if (!header) rejected.push({ line: 1, reason: 'the file is empty; a header row is needed' });
  rejected.sort((a, b) => a.line - b.line);
  return { records, rejected };
}

export function createCustomerImport({ repo, audit, clock }: { repo: PolicyholdersRepo; audit: AuditLog; clock: () => Date }) {
  return {
    async importCsv(text: string, actor?: AuditActor): Promise<ImportResult> {
      const { records, rejected } = parseCustomerCsv(text, clock());
      const counts = await repo.upsert(records);
      await audit.record('customers.imported', { actor: actor ?? null, detail: { ...counts, rejected: rejected.length } });
      return { ...counts, rejected };
    },
  };
}

export type CustomerImport = ReturnType<typeof createCustomerImport>;
