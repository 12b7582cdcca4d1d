import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { migrationSource } from '../../../migrations/index.js';

export type Db = Knex;

/** Longest a single query may take; the queries of a request are small and indexed. */
export const QUERY_TIMEOUT_MS = 5000;

export interface DbOptions {
  databaseUrl?: string;
  /** Where the embedded PGlite keeps its files when there is no DATABASE_URL. */
  dataDir: string;
}

/** Postgres through `pg` when a URL is given, otherwise the embedded PGlite (SPEC 1). */
export function createDb({ databaseUrl, dataDir }: DbOptions): Db {
  if (databaseUrl) {
    return knexFactory({
      client: 'pg',
      // Bounded waits (SPEC 8: "temporarily unavailable" within 5 s): for a connection from
      // the pool, for a new connection to Postgres, and for any one query's answer.
      connection: { connectionString: databaseUrl, connectionTimeoutMillis: 2000, query_timeout: QUERY_TIMEOUT_MS },
      acquireConnectionTimeout: 3000,
      pool: { min: 0, max: 10 },
    });
  }
  const filename = join(dataDir, 'pgdata');
  mkdirSync(filename, { recursive: true }); // PGlite needs the directory to exist
  return knexFactory({ client: ClientPgLite, dialect: 'postgres', connection: { filename } } as Knex.Config);
}

export function isEmbedded(db: Db): boolean {
  return db.client.config.client !== 'pg';
}

export async function migrate(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

export async function pingDb(db: Db): Promise<void> {
  await db.raw('select 1');
}
