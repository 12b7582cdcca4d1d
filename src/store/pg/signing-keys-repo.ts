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
    /** Removes a key from the JWKS for good; only a key that no longer signs. */
    async deletePublished(kid: string): Promise<boolean> {
      return (await table().where({ kid }).whereNotNull('retired_at').delete()) > 0;
    },
    async updateSealed(kid: string, privateJwkEncrypted: string): Promise<void> {
      await table().where({ kid }).update({ private_jwk_encrypted: privateJwkEncrypted } as never);
    },
    async retireActive(alg: string): Promise<void> {
      await table().where({ alg }).whereNull('retired_at').update({ retired_at: db.fn.now() } as never);
    },
  };
}

export type SigningKeysRepo = ReturnType<typeof createSigningKeysRepo>;
