import type { Db } from './db.js';

export interface ClientRow {
  client_id: string;
  name: string;
  metadata: Record<string, unknown>;
  secret_encrypted: string | null;
  created_at: Date;
  updated_at: Date;
}

export function createClientsRepo(db: Db) {
  const table = () => db<ClientRow>('clients');
  return {
    async findById(clientId: string): Promise<ClientRow | undefined> {
      return table().where({ client_id: clientId }).first();
    },
    async findByIdOrName(ref: string): Promise<ClientRow | undefined> {
      return table().where({ client_id: ref }).orWhereRaw('lower(name) = lower(?)', [ref]).first();
    },
    async insert(row: Omit<ClientRow, 'created_at' | 'updated_at'>): Promise<ClientRow> {
      const [inserted] = await table().insert({ ...row, metadata: JSON.stringify(row.metadata) } as never).returning('*');
      return inserted as ClientRow;
    },
    async update(clientId: string, changes: Partial<Pick<ClientRow, 'name' | 'metadata' | 'secret_encrypted'>>): Promise<ClientRow | undefined> {
      const patch: Record<string, unknown> = { ...changes, updated_at: db.fn.now() };
      if (changes.metadata) patch.metadata = JSON.stringify(changes.metadata);
      const [row] = await table().where({ client_id: clientId }).update(patch as never).returning('*');
      return row as ClientRow | undefined;
    },
    async list(): Promise<ClientRow[]> {
      return table().orderBy('name');
    },
    async delete(clientId: string): Promise<boolean> {
      return (await table().where({ client_id: clientId }).delete()) > 0;
    },
  };
}

export type ClientsRepo = ReturnType<typeof createClientsRepo>;
