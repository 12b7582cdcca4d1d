import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from '@jest/globals';
import pg from 'pg';

/** The pforte CLI as an operator runs it: the built bin/pforte.js in its own process. */

const run = promisify(execFile);
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunner {
  /** The database the commands run against, for checks in SQL. */
  databaseUrl: string;
  pforte(...args: string[]): Promise<CliResult>;
  /** Runs a command that must succeed and returns its --json output. */
  pforteJson<T = Record<string, unknown>>(...args: string[]): Promise<T>;
  /** Creates the fresh database; call in beforeAll. */
  setUp(): Promise<void>;
  /** Drops the database and the data directory; call in afterAll. */
  tearDown(): Promise<void>;
}

/** A CLI on its own fresh Postgres database and data directory; `extraEnv` is read per run (e.g. an SMTP capture's URL). */
export function createCliRunner(extraEnv: () => Record<string, string> = () => ({})): CliRunner {
  const dbName = `pforte_cli_${randomBytes(6).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'pforte-cli-'));
  const databaseUrl = new URL(PG_ADMIN_URL);
  databaseUrl.pathname = `/${dbName}`;

  async function pforte(...args: string[]): Promise<CliResult> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['bin/pforte.js', ...args], {
        cwd: projectRoot,
        env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl.href, REDIS_URL, DATA_DIR: dataDir, BCRYPT_COST: '4', LOG_LEVEL: 'silent', ...extraEnv() },
        timeout: 20_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number | string; stdout?: string; stderr?: string };
      if (typeof failed.code !== 'number') throw error;
      return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  return {
    databaseUrl: databaseUrl.href,
    pforte,
    async pforteJson<T>(...args: string[]): Promise<T> {
      const result = await pforte(...args, '--json');
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      return JSON.parse(result.stdout) as T;
    },
    setUp: () => admin(`create database ${dbName}`),
    async tearDown() {
      await admin(`drop database if exists ${dbName} with (force)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
