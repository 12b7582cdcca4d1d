import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { migrationSource } from '../../../migrations/index.js';
import type { Logger } from '../../observability/logger.js';

export type Db = Knex;

/** Longest a single query may take (migrations excepted); the queries of a request are small and indexed. */
export const QUERY_TIMEOUT_MS = 4000;

export interface DbOptions {
  databaseUrl?: string;
  /** Where knex's own warnings go (SPEC 8: one JSON log); without it, knex prints them. */
  logger?: Logger;
  /** Where the embedded PGlite keeps its files when there is no DATABASE_URL. */
  dataDir: string;
}

/** Postgres through `pg` when a URL is given, otherwise the embedded PGlite (SPEC 1). */
export function createDb({ databaseUrl, dataDir, logger }: DbOptions): Db {
  if (databaseUrl) {
    return knexFactory({
      client: 'pg',
      ...(logger ? { log: knexLog(logger) } : {}),
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

/**
 * knex's messages carry driver text and, at debug, SQL: only their kind (the words before
 * the first colon, e.g. "Acquire connection error") reaches the log.
 */
function knexLog(logger: Logger): Knex.Config['log'] {
  const log = logger.child({ component: 'knex' });
  const kind = (message: unknown) => String(typeof message === 'string' ? message : (message as Error)?.message ?? '').split(':')[0]!.slice(0, 60);
  return {
    warn: (message: unknown) => log.warn({ kind: kind(message) }, 'database warning'),
    error: (message: unknown) => log.error({ kind: kind(message) }, 'database error'),
    deprecate: (method: string, alternative: string) => log.warn({ method, alternative }, 'knex deprecation'),
    debug: () => undefined,
  };
}

export function isEmbedded(db: Db): boolean {
  return db.client.config.client !== 'pg';
}

export async function migrate(db: Db): Promise<string[]> {
  const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown[], unknown[]];
  if (pending.length === 0) return [];
  // A migration may rightly take longer than any request's query (an index on a large
  // table): on Postgres it runs on a connection of its own, without the query timeout.
  const migrator = isEmbedded(db) ? db : knexFactory({ ...db.client.config, connection: { ...db.client.config.connection, query_timeout: undefined }, pool: { min: 0, max: 1 } });
  try {
    const [, applied] = (await migrator.migrate.latest({ migrationSource })) as [number, string[]];
    return applied;
  } finally {
    if (migrator !== db) await migrator.destroy();
  }
}

export async function pingDb(db: Db): Promise<void> {
  await db.raw('select 1');
}
