import type { Knex } from 'knex';
import type { Db } from './db.js';
import type { OrganisationRef } from './organisations-repo.js';
import type { RoleRow } from './roles-repo.js';
import { isUuid } from './uuid.js';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export type AccountStatus = 'active' | 'blocked' | 'pending';

export interface AccountRow {
  id: string;
  email: string;
  password_hash: string | null;
  name: string | null;
  /** What the person does in their organisation and how to call them (SPEC 5); optional. */
  position: string | null;
  phone: string | null;
  status: AccountStatus;
  email_verified: boolean;
  agent_number: string | null;
  organisation_id: string | null;
  password_changed_at: Date | null;
  must_change_password: boolean;
  password_expires_at: Date | null;
  /** Set while the lockout's hard stop holds (SPEC 4.8); only unlock or a reset clear it. */
  hard_locked_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** An account with its organisation and the names of its roles, sorted. */
export interface AccountDetail extends AccountRow {
  organisation: OrganisationRef | null;
  roles: string[];
}

export interface NewAccount {
  email: string;
  password_hash?: string | null;
  name?: string | null;
  position?: string | null;
  phone?: string | null;
  status?: AccountStatus;
  email_verified?: boolean;
  agent_number?: string | null;
  organisation_id?: string | null;
}

export function createAccountsRepo(db: Db) {
  const table = () => db<AccountRow>('accounts');
  // One query for an account, its organisation and its roles: it runs for every token.
  const detailed = () =>
    db('accounts as a')
      .leftJoin('organisations as o', 'o.id', 'a.organisation_id')
      .select(
        'a.*',
        db.raw("case when o.id is null then null else json_build_object('id', o.id, 'name', o.name) end as organisation"),
        db.raw(`coalesce((select json_agg(r.name order by r.name) from account_roles ar join roles r on r.id = ar.role_id
          where ar.account_id = a.id), '[]'::json) as roles`),
      );

  return {
    async findById(id: string): Promise<AccountRow | undefined> {
      if (!isUuid(id)) return undefined;
      return table().where({ id }).first();
    },
    async findByEmail(email: string): Promise<AccountRow | undefined> {
      return table().whereRaw('lower(email) = lower(?)', [email]).first();
    },
    async findByAgentNumber(agentNumber: string): Promise<AccountRow | undefined> {
      return table().where({ agent_number: agentNumber }).first();
    },
    async findDetailed(id: string): Promise<AccountDetail | undefined> {
      if (!isUuid(id)) return undefined;
      return detailed().where('a.id', id).first();
    },
    /** Locks the account row until the transaction ends, for read-check-write changes. */
    async findByIdForUpdate(id: string): Promise<AccountRow | undefined> {
      if (!isUuid(id)) return undefined;
      return table().where({ id }).forUpdate().first();
    },
    async insert(account: NewAccount): Promise<AccountRow> {
      const [row] = await table().insert({ ...account, password_changed_at: account.password_hash ? db.fn.now() : null } as never).returning('*');
      return row as AccountRow;
    },
    /** A new password: clears the initial-password marks unless given, activates a pending account. */
    async setPassword(id: string, passwordHash: string, { mustChange = false, expiresAt = null }: { mustChange?: boolean; expiresAt?: Date | null } = {}): Promise<AccountRow | undefined> {
      const [row] = await table()
        .where({ id })
        .update({
          password_hash: passwordHash,
          password_changed_at: db.fn.now(),
          must_change_password: mustChange,
          password_expires_at: expiresAt,
          status: db.raw("case when status = 'pending' then 'active' else status end"),
          updated_at: db.fn.now(),
        } as never)
        .returning('*');
      return row as AccountRow | undefined;
    },
    /** The address is proven (an activation, confirmation or reset link, a TAN mailed to it). */
    async markEmailVerified(id: string): Promise<void> {
      await table().where({ id, email_verified: false }).update({ email_verified: true, updated_at: db.fn.now() } as never);
    },
    async update(id: string, changes: Partial<Pick<AccountRow, 'name' | 'position' | 'phone' | 'organisation_id'>>): Promise<AccountRow | undefined> {
      const [row] = await table().where({ id }).update({ ...changes, updated_at: db.fn.now() } as never).returning('*');
      return row as AccountRow | undefined;
    },
    /** Ordered by email; `afterEmail` continues a listing after that email (keyset paging). */
    async list({ limit = 100, offset = 0, search, afterEmail }: { limit?: number; offset?: number; search?: string; afterEmail?: string } = {}): Promise<AccountDetail[]> {
      const query = detailed().orderBy('a.email').limit(limit).offset(offset);
      if (afterEmail !== undefined) query.where('a.email', '>', afterEmail);
      if (search) query.whereRaw("lower(a.email) like lower(?) escape '\\'", [`%${search.replace(/[\\%_]/g, '\\$&')}%`]);
      return query;
    },
    /**
     * Members of the organisations, by name then email, with the total for paging; `search`
     * matches name or email as a literal substring (bound parameter, wildcards escaped).
     */
    async listMembers({ organisationIds, search, limit, offset }: { organisationIds: readonly string[]; search?: string; limit: number; offset: number }): Promise<{ members: AccountDetail[]; total: number }> {
      const ids = organisationIds.filter(isUuid);
      if (ids.length === 0) return { members: [], total: 0 };
      const filter = (query: Knex.QueryBuilder) => {
        query.whereIn('a.organisation_id', ids);
        if (search) {
          const pattern = `%${search.replace(/[\\%_]/g, '\\$&')}%`;
          query.where((inner) => inner.whereRaw("lower(a.email) like lower(?) escape '\\'", [pattern]).orWhereRaw("lower(coalesce(a.name, '')) like lower(?) escape '\\'", [pattern]));
        }
        return query;
      };
      const members = await filter(detailed()).orderByRaw('a.name asc nulls last, a.email asc').limit(limit).offset(offset);
      const [{ count }] = await filter(db('accounts as a')).count<Array<{ count: string }>>('a.id as count');
      return { members, total: Number(count) };
    },
    /** Active accounts of the organisation itself, other than `exceptId`, that hold `role` (SPEC 5: the last user manager). */
    async countOtherHolders(organisationId: string, role: string, exceptId: string): Promise<number> {
      const [{ count }] = await table()
        .join('account_roles', 'account_roles.account_id', 'accounts.id')
        .join('roles', 'roles.id', 'account_roles.role_id')
        .where({ 'accounts.organisation_id': organisationId, 'accounts.status': 'active', 'roles.name': role })
        .whereNot('accounts.id', exceptId)
        .count<Array<{ count: string }>>('accounts.id as count');
      return Number(count);
    },
    /** Blocks an active or pending account; false when it is blocked already or unknown. */
    async block(id: string): Promise<boolean> {
      if (!isUuid(id)) return false;
      return (await table().where({ id }).whereNot({ status: 'blocked' }).update({ status: 'blocked', updated_at: db.fn.now() } as never)) > 0;
    },
    /** Unblocks: active again, or pending when it never had a password. */
    async unblock(id: string): Promise<boolean> {
      if (!isUuid(id)) return false;
      const status = db.raw("case when password_hash is null then 'pending' else 'active' end");
      return (await table().where({ id, status: 'blocked' }).update({ status, updated_at: db.fn.now() } as never)) > 0;
    },
    /** Whether the hard stop holds. Unknown ids cost the same query (the lockout asks for stand-ins too). */
    async isHardLocked(id: string): Promise<boolean> {
      const row = await table().where({ id: isUuid(id) ? id : NIL_UUID }).whereNotNull('hard_locked_at').first('id');
      return row !== undefined;
    },
    async setHardLocked(id: string, isLocked: boolean): Promise<void> {
      if (!isUuid(id)) return;
      await table().where({ id }).update({ hard_locked_at: isLocked ? db.fn.now() : null } as never);
    },
    /** Active accounts of the organisation holding `role`, by name: whom a blocked member may contact. */
    async holdersOfRole(organisationId: string, role: string): Promise<Array<Pick<AccountRow, 'name' | 'email'>>> {
      return table()
        .join('account_roles', 'account_roles.account_id', 'accounts.id')
        .join('roles', 'roles.id', 'account_roles.role_id')
        .where({ 'accounts.organisation_id': organisationId, 'accounts.status': 'active', 'roles.name': role })
        .orderBy([{ column: 'accounts.name' }, { column: 'accounts.email' }])
        .limit(20)
        .select('accounts.name', 'accounts.email');
    },
    async roles(accountId: string): Promise<RoleRow[]> {
      return db<RoleRow>('roles')
        .join('account_roles', 'account_roles.role_id', 'roles.id')
        .where('account_roles.account_id', accountId)
        .select('roles.*')
        .orderBy('roles.name');
    },
    async setRoles(accountId: string, roleIds: readonly string[]): Promise<void> {
      await db('account_roles').where({ account_id: accountId }).delete();
      if (roleIds.length > 0) await db('account_roles').insert(roleIds.map((role_id) => ({ account_id: accountId, role_id })));
    },
  };
}

export type AccountsRepo = ReturnType<typeof createAccountsRepo>;
