import type { Db } from './db.js';
import { isUuid } from './uuid.js';

export interface OrganisationRow {
  id: string;
  name: string;
  parent_id: string | null;
  created_at: Date;
  updated_at: Date;
}

/** An organisation with the names of the roles it may grant, sorted. */
export interface OrganisationDetail extends OrganisationRow {
  grantable_roles: string[];
}

export interface OrganisationRef {
  id: string;
  name: string;
}

export function createOrganisationsRepo(db: Db) {
  const table = () => db<OrganisationRow>('organisations');
  // One query for an organisation and its grantable roles, so lists need no query per row.
  const detailed = () =>
    db('organisations as o').select(
      'o.*',
      db.raw(`coalesce((select json_agg(r.name order by r.name) from organisation_roles g join roles r on r.id = g.role_id
        where g.organisation_id = o.id), '[]'::json) as grantable_roles`),
    );

  return {
    async findById(id: string): Promise<OrganisationRow | undefined> {
      if (!isUuid(id)) return undefined;
      return table().where({ id }).first();
    },
    async findByName(name: string): Promise<OrganisationRow | undefined> {
      return table().whereRaw('lower(name) = lower(?)', [name]).first();
    },
    async findDetailed(id: string): Promise<OrganisationDetail | undefined> {
      if (!isUuid(id)) return undefined;
      return detailed().where('o.id', id).first();
    },
    async listDetailed(): Promise<OrganisationDetail[]> {
      return detailed().orderByRaw('lower(o.name)');
    },
    /** Undefined when the name is taken. */
    async insert(organisation: { name: string; parent_id: string | null }): Promise<OrganisationRow | undefined> {
      const [row] = await table().insert(organisation as never).onConflict().ignore().returning('*');
      return row as OrganisationRow | undefined;
    },
    /** Always touches the row, so the update holds the row lock that membership changes wait for. */
    async update(id: string, changes: Partial<Pick<OrganisationRow, 'name' | 'parent_id'>>): Promise<OrganisationRow | undefined> {
      const [row] = await table().where({ id }).update({ ...changes, updated_at: db.fn.now() } as never).returning('*');
      return row as OrganisationRow | undefined;
    },
    async grantableRoleIds(id: string): Promise<Set<string>> {
      const rows: Array<{ role_id: string }> = await db('organisation_roles').where({ organisation_id: id }).select('role_id');
      return new Set(rows.map((row) => row.role_id));
    },
    async setGrantableRoles(id: string, roleIds: readonly string[]): Promise<void> {
      await db('organisation_roles').where({ organisation_id: id }).delete();
      if (roleIds.length > 0) await db('organisation_roles').insert(roleIds.map((role_id) => ({ organisation_id: id, role_id })));
    },
    /** Takes away from the organisation's members every role it may no longer grant; returns how many grants ended. */
    async withdrawUngrantableRoles(id: string): Promise<number> {
      return db('account_roles')
        .whereIn('account_id', db('accounts').where({ organisation_id: id }).select('id'))
        .whereNotIn('role_id', db('organisation_roles').where({ organisation_id: id }).select('role_id'))
        .delete();
    },
    /**
     * The organisation and all its descendants at any depth, the organisation first and the
     * rest by name. `union` (not `union all`) ends the recursion even on a cyclic tree.
     */
    async descendants(id: string): Promise<Array<OrganisationRef & { parent_id: string | null }>> {
      if (!isUuid(id)) return [];
      const { rows } = (await db.raw(
        `with recursive tree as (
           select id, name, parent_id from organisations where id = ?
           union
           select o.id, o.name, o.parent_id from organisations o join tree t on o.parent_id = t.id
         )
         select id, name, parent_id from tree order by (id = ?) desc, lower(name), id`,
        [id, id],
      )) as { rows: Array<OrganisationRef & { parent_id: string | null }> };
      return rows;
    },
    /**
     * Holds the organisation still while an account's roles are checked against it: an
     * update of the organisation (see `update`) waits for this, and this for the update.
     */
    async lockForMembership(id: string): Promise<boolean> {
      return (await table().where({ id }).forShare().first('id')) !== undefined;
    },
    /**
     * Serialises withdrawals of a role held by several members (the last user manager, SPEC 5):
     * two managers withdrawing each other's role one at a time, each seeing the other's result.
     */
    async lockForRoleWithdrawal(id: string): Promise<void> {
      await table().where({ id }).forNoKeyUpdate().first('id');
    },
    /** Serialises changes of the tree, so two concurrent re-parentings cannot form a cycle. */
    async lockTree(): Promise<void> {
      await db.raw('lock table organisations in share row exclusive mode');
    },
  };
}

export type OrganisationsRepo = ReturnType<typeof createOrganisationsRepo>;
