import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { migrationSource } from '../../../migrations/index.js';

export type Db = Knex;

export interface DbOptions {
  databaseUrl?: string;
  /** Where the embedded PGlite keeps its files when there is no DATABASE_URL. */
  dataDir: string;
}

/** Postgres through `pg` when a URL is given, otherwise the embedded PGlite (SPEC 1). */
export function createDb({ databaseUrl, dataDir }: DbOptions): Db {
  if (databaseUrl) {
    return knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 10 } });
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
