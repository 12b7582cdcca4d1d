import { ConflictError, ValidationError } from '../errors/index.js';
import type { RoleRow, RolesRepo } from '../store/pg/roles-repo.js';
import type { AuditActor, AuditLog } from './audit.js';

/** Lower-case words joined by hyphens, e.g. `file-manager` (SPEC 5). */
export const ROLE_NAME_PATTERN = /^[a-z][a-z0-9-]{1,62}$/;

/** Holders of this role see their organisation's whole subtree in the `orgs` claim. */
export const GROUP_MANAGER_ROLE = 'group-manager';
/** Holders administer their organisation's accounts (SPEC 5) and are whom its blocked members contact. */
export const USER_MANAGER_ROLE = 'user-manager';

export interface RoleInput {
  name: string;
  description?: string;
}

export interface RoleView {
  id: string;
  name: string;
  description: string | null;
}

const toRoleView = ({ id, name, description }: RoleRow): RoleView => ({ id, name, description });

/**
 * A ValidationError whose problem names the offending values after the code, e.g.
 * `role_not_grantable: fleet-manager, other-lines`, so an administrator sees which ones.
 */
export function namingProblem(field: string, code: string, names: readonly string[]): ValidationError {
  return new ValidationError({ [field]: `${code}: ${names.join(', ')}` });
}

/**
 * The catalogue roles named by `refs` (ids or names, case-insensitive), without repeats.
 * Unknown references are a ValidationError at `field` naming them.
 */
export async function findRoles(repo: Pick<RolesRepo, 'findByRefs'>, refs: readonly string[], field: string): Promise<RoleRow[]> {
  const wanted = [...new Set(refs.map((ref) => ref.trim()).filter(Boolean))];
  const rows = await repo.findByRefs(wanted);
  const unknown = wanted.filter((ref) => !rows.some((row) => row.id === ref.toLowerCase() || row.name === ref.toLowerCase()));
  if (unknown.length > 0) throw namingProblem(field, 'unknown_role', unknown);
  return rows;
}

export function createRoleService({ repo, audit }: { repo: RolesRepo; audit: AuditLog }) {
  return {
    async create(input: RoleInput, actor?: AuditActor): Promise<RoleView> {
      const name = input.name.trim();
      const description = input.description?.trim() || null;
      const problems: Record<string, string> = {};
      if (!ROLE_NAME_PATTERN.test(name)) problems.name = 'invalid_role_name';
      if (description !== null && description.length > 500) problems.description = 'too_long';
      if (Object.keys(problems).length > 0) throw new ValidationError(problems);
      const row = await repo.insert({ name, description });
      if (!row) throw new ConflictError('role_taken', 'name', 'a role with this name exists');
      await audit.record('role.created', { actor: actor ?? null, detail: { role_id: row.id, name } });
      return toRoleView(row);
    },

    list: async (): Promise<RoleView[]> => (await repo.list()).map(toRoleView),
  };
}

export type RoleService = ReturnType<typeof createRoleService>;
