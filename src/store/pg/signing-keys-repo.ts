import type { Db } from './db.js';

export interface SigningKeyRow {
  kid: string;
  alg: string;
  public_jwk: Record<string, unknown>;
  private_jwk_encrypted: string;
  created_at: Date;
  retired_at: Date | null;
}

export function createSigningKeysRepo(db: Db) {
  const table = () => db<SigningKeyRow>('signing_keys');
  return {
    /** Active keys first (newest first), then retired ones still published. */
    async listPublished(): Promise<SigningKeyRow[]> {
      return table().orderByRaw('retired_at is not null, created_at desc');
    },
    async insert(row: Omit<SigningKeyRow, 'created_at' | 'retired_at'>): Promise<void> {
      await table().insert({ ...row, public_jwk: JSON.stringify(row.public_jwk) } as never);
    },
    /** Changes whenever a key is added or retired: what each process compares to reload. */
    async version(): Promise<string> {
      // A digest of every key id with its retirement: any addition or retirement changes it.
      const row = (await table().select(db.raw("coalesce(md5(string_agg(kid || ':' || coalesce(retired_at::text, ''), ',' order by kid)), '') as version")).first()) as unknown as { version: string };
      return row.version;
    },
    async retireActive(alg: string): Promise<void> {
      await table().where({ alg }).whereNull('retired_at').update({ retired_at: db.fn.now() } as never);
    },
  };
}

export type SigningKeysRepo = ReturnType<typeof createSigningKeysRepo>;
