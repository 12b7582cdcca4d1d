import type { Db } from './db.js';

export type AccountStatus = 'active' | 'blocked' | 'pending';

export interface AccountRow {
  id: string;
  email: string;
  password_hash: string | null;
  name: string | null;
  status: AccountStatus;
  email_verified: boolean;
  agent_number: string | null;
  password_changed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface NewAccount {
  email: string;
  password_hash?: string | null;
  name?: string | null;
  status?: AccountStatus;
  email_verified?: boolean;
  agent_number?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createAccountsRepo(db: Db) {
  const table = () => db<AccountRow>('accounts');
  return {
    async findById(id: string): Promise<AccountRow | undefined> {
      if (!UUID.test(id)) return undefined;
      return table().where({ id }).first();
    },
    async findByEmail(email: string): Promise<AccountRow | undefined> {
      return table().whereRaw('lower(email) = lower(?)', [email]).first();
    },
    async findByAgentNumber(agentNumber: string): Promise<AccountRow | undefined> {
      return table().where({ agent_number: agentNumber }).first();
    },
    async insert(account: NewAccount): Promise<AccountRow> {
      const [row] = await table().insert({ ...account, password_changed_at: account.password_hash ? db.fn.now() : null } as never).returning('*');
      return row as AccountRow;
    },
    async list({ limit = 100, offset = 0, search }: { limit?: number; offset?: number; search?: string } = {}): Promise<AccountRow[]> {
      const query = table().orderBy('email').limit(limit).offset(offset);
      if (search) query.whereRaw("lower(email) like lower(?) escape '\\'", [`%${search.replace(/[\\%_]/g, '\\$&')}%`]);
      return query;
    },
  };
}

export type AccountsRepo = ReturnType<typeof createAccountsRepo>;
