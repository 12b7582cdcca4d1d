import { ConflictError, NotFoundError, ValidationError } from '../errors/index.js';
import type { Directory, DirectoryRepos } from '../store/pg/directory.js';
import type { OrganisationDetail, OrganisationRef, OrganisationRow, OrganisationsRepo } from '../store/pg/organisations-repo.js';
import type { RoleRow } from '../store/pg/roles-repo.js';
import type { AuditActor, AuditLog } from './audit.js';
import { findRoles, namingProblem } from './roles.js';

export interface OrganisationInput {
  name: string;
  /** Parent organisation, by id or name. */
  parent?: string;
  /** Names (or ids) of catalogue roles the organisation may grant. */
  grantableRoles?: string[];
}

export interface OrganisationChanges {
  name?: string;
  /** A new parent by id or name; null makes the organisation a root. */
  parent?: string | null;
  /** Replaces the grantable set; members lose roles that are no longer in it. */
  grantableRoles?: string[];
}

export interface OrganisationView {
  id: string;
  name: string;
  parent_id: string | null;
  grantable_roles: string[];
  created_at: Date;
  updated_at: Date;
}

const toOrganisationView = ({ id, name, parent_id, grantable_roles, created_at, updated_at }: OrganisationDetail): OrganisationView => ({
  id,
  name,
  parent_id,
  grantable_roles,
  created_at,
  updated_at,
});

/** An organisation by id or by its unique name (case-insensitive). */
export async function findOrganisation(repo: Pick<OrganisationsRepo, 'findById' | 'findByName'>, ref: string): Promise<OrganisationRow | undefined> {
  return (await repo.findById(ref)) ?? (await repo.findByName(ref.trim()));
}

/**
 * SPEC 5: a member of an organisation holds only roles the organisation may grant. Call
 * inside a transaction: the organisation stays locked until it ends, so its grantable set
 * cannot shrink between this check and the write.
 */
export async function requireGrantable(tx: Pick<DirectoryRepos, 'organisations'>, organisationId: string, roles: readonly RoleRow[], field: string): Promise<void> {
  if (!(await tx.organisations.lockForMembership(organisationId))) throw new ValidationError({ organisation: 'unknown_organisation' });
  if (roles.length === 0) return;
  const grantable = await tx.organisations.grantableRoleIds(organisationId);
  const refused = roles.filter((role) => !grantable.has(role.id)).map((role) => role.name);
  if (refused.length > 0) throw namingProblem(field, 'role_not_grantable', refused);
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) throw new ValidationError({ name: 'required' });
  if (trimmed.length > 200) throw new ValidationError({ name: 'too_long' });
  return trimmed;
}

export function createOrganisationService({ directory, audit }: { directory: Directory; audit: AuditLog }) {
  const { organisations } = directory;
  const resolve = async (ref: string): Promise<OrganisationRow> => {
    const row = await findOrganisation(organisations, ref);
    if (!row) throw new NotFoundError('organisation');
    return row;
  };
  const resolveParent = async (ref: string): Promise<OrganisationRow> => {
    const row = await findOrganisation(organisations, ref);
    if (!row) throw new ValidationError({ parent: 'unknown_organisation' });
    return row;
  };
  const detail = async (id: string): Promise<OrganisationView> => toOrganisationView((await organisations.findDetailed(id))!);
  const nameTaken = () => new ConflictError('organisation_taken', 'name', 'an organisation with this name exists');

  return {
    async create(input: OrganisationInput, actor?: AuditActor): Promise<OrganisationView> {
      const name = checkName(input.name);
      const parent = input.parent === undefined ? undefined : await resolveParent(input.parent);
      const roles = await findRoles(directory.roles, input.grantableRoles ?? [], 'grantableRoles');
      if (await organisations.findByName(name)) throw nameTaken();
      const created = await directory.inTransaction(async (tx) => {
        const row = await tx.organisations.insert({ name, parent_id: parent?.id ?? null });
        if (!row) throw nameTaken();
        await tx.organisations.setGrantableRoles(row.id, roles.map((role) => role.id));
        return row;
      });
      await audit.record('org.created', {
        actor: actor ?? null,
        detail: { organisation_id: created.id, name, parent_id: created.parent_id, grantable_roles: roles.map((role) => role.name) },
      });
      return detail(created.id);
    },

    async update(ref: string, changes: OrganisationChanges, actor?: AuditActor): Promise<OrganisationView> {
      const organisation = await resolve(ref);
      const name = changes.name === undefined ? undefined : checkName(changes.name);
      const parent = changes.parent == null ? changes.parent : await resolveParent(changes.parent);
      const roles = changes.grantableRoles === undefined ? undefined : await findRoles(directory.roles, changes.grantableRoles, 'grantableRoles');
      if (name !== undefined) {
        const holder = await organisations.findByName(name);
        if (holder && holder.id !== organisation.id) throw nameTaken();
      }
      const withdrawn = await directory.inTransaction(async (tx) => {
        if (parent) {
          await tx.organisations.lockTree();
          const subtree = await tx.organisations.descendants(organisation.id);
          if (subtree.some((org) => org.id === parent.id)) throw new ValidationError({ parent: 'organisation_cycle' });
        }
        // Updated even when only the roles change: the row lock orders this against membership checks.
        await tx.organisations.update(organisation.id, {
          ...(name !== undefined ? { name } : {}),
          ...(parent !== undefined ? { parent_id: parent?.id ?? null } : {}),
        });
        if (!roles) return 0;
        await tx.organisations.setGrantableRoles(organisation.id, roles.map((role) => role.id));
        return tx.organisations.withdrawUngrantableRoles(organisation.id);
      });
      await audit.record('org.updated', {
        actor: actor ?? null,
        detail: { organisation_id: organisation.id, changed: Object.keys(changes), ...(withdrawn > 0 ? { withdrawn_grants: withdrawn } : {}) },
      });
      return detail(organisation.id);
    },

    show: async (ref: string): Promise<OrganisationView> => detail((await resolve(ref)).id),
    list: async (): Promise<OrganisationView[]> => (await organisations.listDetailed()).map(toOrganisationView),

    /** The organisation and all its descendants at any depth, the organisation first. */
    async descendants(organisationId: string): Promise<OrganisationRef[]> {
      return (await organisations.descendants(organisationId)).map(({ id, name }) => ({ id, name }));
    },
  };
}

export type OrganisationService = ReturnType<typeof createOrganisationService>;
