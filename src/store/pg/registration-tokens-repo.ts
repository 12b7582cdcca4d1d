import { createHash } from 'node:crypto';
import type { Db } from './db.js';

export interface RegistrationTokenRow {
  token_hash: string;
  kind: string;
  client_id: string | null;
  payload: Record<string, unknown>;
  expires_at: Date | null;
  created_at: Date;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Initial and registration access tokens, keyed by the hash of their value. Expiry is
 * compared with the injected clock, so tests move time instead of sleeping.
 */
export function createRegistrationTokensRepo(db: Db, clock: () => Date) {
  const table = () => db<RegistrationTokenRow>('registration_tokens');
  return {
    async save(token: string, row: { kind: string; clientId?: string; payload: Record<string, unknown>; expiresAt?: Date }): Promise<void> {
      await table()
        .insert({ token_hash: hashOf(token), kind: row.kind, client_id: row.clientId ?? null, payload: JSON.stringify(row.payload), expires_at: row.expiresAt ?? null } as never)
        .onConflict('token_hash')
        .merge();
    },
    /** The token's payload while it is unexpired, else undefined. */
    async find(token: string, kind: string): Promise<Record<string, unknown> | undefined> {
      const row = await table()
        .where({ token_hash: hashOf(token), kind })
        .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', clock()))
        .first();
      return row?.payload;
    },
    /** Deletes the token; true only for the one caller that deleted it (single use). */
    async take(token: string, kind: string): Promise<boolean> {
      const deleted = await table()
        .where({ token_hash: hashOf(token), kind })
        .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', clock()))
        .delete();
      return deleted > 0;
    },
    async deleteForClient(clientId: string): Promise<void> {
      await table().where({ client_id: clientId }).delete();
    },
  };
}

export type RegistrationTokensRepo = ReturnType<typeof createRegistrationTokensRepo>;
