import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createCliRunner } from './helpers/cli.js';

/** `pforte customers import` (SPEC 4.5) as an operator runs it, against a fresh database. */
const cli = createCliRunner();
const files = mkdtempSync(join(tmpdir(), 'pforte-csv-'));
let db: pg.Client;
beforeAll(async () => {
  await cli.setUp();
  await cli.pforteJson('migrate');
  db = new pg.Client({ connectionString: cli.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await cli.tearDown();
  rmSync(files, { recursive: true, force: true });
});

let fileCount = 0;
function csvFile(content: string | Buffer): string {
  const path = join(files, `import-${(fileCount += 1)}.csv`);
  writeFileSync(path, content);
  return path;
}

interface ImportResult {
  imported: number;
  updated: number;
  unchanged: number;
  rejected: Array<{ line: number; reason: string }>;
}

async function importFile(path: string): Promise<{ code: number; result: ImportResult }> {
  const { code, stdout } = await cli.pforte('customers', 'import', path, '--json');
  return { code, result: JSON.parse(stdout) as ImportResult };
}

async function policyholders(): Promise<Array<{ policy_number: string; birth_date: string; name: string; email: string | null }>> {
  const { rows } = await db.query("select policy_number, to_char(birth_date, 'YYYY-MM-DD') as birth_date, name, email from policyholders order by policy_number");
  return rows;
}

describe('pforte customers import', () => {
  it('reads comma files with ISO dates and semicolon files with a BOM and German dates; the same file twice changes nothing', async () => {
    const comma = csvFile('policy_number,birth_date,name,email\nKV-100,1970-04-01,Anna Muster,anna@example.com\nKV-101,1981-12-31,"Bernd, Beispiel",\n');
    expect(await importFile(comma)).toEqual({ code: 0, result: { imported: 2, updated: 0, unchanged: 0, rejected: [] } });
    const semicolon = csvFile('\uFEFFpolicy_number;birth_date;name;email\nKV-102;01.02.1965;Carla Test;carla@example.com\n');
    expect(await importFile(semicolon)).toEqual({ code: 0, result: { imported: 1, updated: 0, unchanged: 0, rejected: [] } });
    expect(await importFile(comma)).toEqual({ code: 0, result: { imported: 0, updated: 0, unchanged: 2, rejected: [] } });
    expect(await policyholders()).toEqual([
      { policy_number: 'KV-100', birth_date: '1970-04-01', name: 'Anna Muster', email: 'anna@example.com' },
      { policy_number: 'KV-101', birth_date: '1981-12-31', name: 'Bernd, Beispiel', email: null },
      { policy_number: 'KV-102', birth_date: '1965-02-01', name: 'Carla Test', email: 'carla@example.com' },
    ]);
  });

  it('upserts by policy number: a changed row is updated, in lower case it is the same policy', async () => {
    const changed = csvFile('policy_number;birth_date;name\n kv-100 ;1970-04-01;Anna Muster-Neu\n');
    expect(await importFile(changed)).toEqual({ code: 0, result: { imported: 0, updated: 1, unchanged: 0, rejected: [] } });
    expect((await policyholders())[0]).toMatchObject({ policy_number: 'KV-100', name: 'Anna Muster-Neu', email: null });
  });

  it('keeps good rows, rejects bad ones by line number, and exits 2', async () => {
    const mixed = csvFile([
      'policy_number;birth_date;name;email',
      'KV-200;1990-01-01;Good One;',
      'KV-201;31.02.1990;Impossible Day;',
      'KV-202;01.01.1890;Too Old;',
      'KV-200;1990-01-01;Duplicate;',
      `KV-203;1990-01-01;Long Mail;${'a'.repeat(500)}@example.com`,
      'KV-204;1990-01-01;Control\u0007Char;',
      ';1990-01-01;No Number;',
      'KV-205;2999-01-01;Future;',
      'KV-206;1990-01-01',
      "KV-207;1990-01-01;Robert'); drop table policyholders;--;",
      'KV-208;1990-01-01;Good Two;good.two@example.com',
      'KV-209;1990-01-01;Bidi\u202egnp.exe;',
    ].join('\r\n'));
    const { code, result } = await importFile(mixed);
    expect(code).toBe(2);
    expect(result.rejected.map((r) => r.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 13]);
    expect(result.rejected[2]!.reason).toContain('already on line 2');
    expect(result).toMatchObject({ imported: 2, updated: 0, unchanged: 0 });
    expect((await policyholders()).map((p) => p.policy_number)).toEqual(['KV-100', 'KV-101', 'KV-102', 'KV-200', 'KV-208']);
  });

  it('refuses a file with broken quoting, invalid UTF-8 or a wrong header whole, naming the line', async () => {
    const before = await policyholders();
    const broken = await importFile(csvFile('policy_number,birth_date,name\nKV-300,1990-01-01,Fine\n"KV-301,1990-01-01,"broken\nKV-302,1990-01-01,After\n'));
    expect(broken).toMatchObject({ code: 2, result: { imported: 0, rejected: [{ line: 3, reason: expect.stringContaining('broken quoting') }] } });
    const header = await importFile(csvFile('policy,birth_date,name\nKV-303,1990-01-01,X\n'));
    expect(header).toMatchObject({ code: 2, result: { imported: 0, rejected: [{ line: 1, reason: expect.stringContaining('missing column policy_number') }] } });
    const latin1 = await cli.pforte('customers', 'import', csvFile(Buffer.from('policy_number,birth_date,name\nKV-304,1990-01-01,J\xfcrgen\n', 'latin1')), '--json');
    expect(latin1.code).toBe(2);
    expect(JSON.parse(latin1.stderr)).toMatchObject({ error: 'invalid_input', problems: { file: 'not valid UTF-8' } });
    const missing = await cli.pforte('customers', 'import', join(files, 'nope.csv'), '--json');
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stderr)).toMatchObject({ problems: { file: expect.stringContaining('cannot be read') } });
    expect(await policyholders()).toEqual(before);
  });

  it('imports 100 000 rows in one run', async () => {
    const lines = ['policy_number,birth_date,name,email'];
    for (let i = 0; i < 100_000; i += 1) lines.push(`BULK-${i},1980-01-01,Customer ${i},customer${i}@example.com`);
    const { code, result } = await importFile(csvFile(lines.join('\n')));
    expect({ code, result }).toEqual({ code: 0, result: { imported: 100_000, updated: 0, unchanged: 0, rejected: [] } });
    const { rows } = await db.query("select count(*)::int as n from policyholders where policy_number like 'BULK-%'");
    expect(rows[0].n).toBe(100_000);
  }, 120_000);
});
