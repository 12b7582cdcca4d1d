import type { Db } from './db.js';
import { isUuid } from './uuid.js';

export interface RoleRow {
  id: string;
  name: string;
  description: string | null;
  created_at: Date;
}

export function createRolesRepo(db: Db) {
  const table = () => db<RoleRow>('roles');
  return {
    async findByName(name: string): Promise<RoleRow | undefined> {
      return table().whereRaw('lower(name) = lower(?)', [name]).first();
    },
    /** The roles named by id or by name (case-insensitive); unknown references are left out. */
    async findByRefs(refs: readonly string[]): Promise<RoleRow[]> {
      if (refs.length === 0) return [];
      const ids = refs.filter(isUuid);
      const names = refs.map((ref) => ref.toLowerCase());
      return table()
        .where((q) => {
          q.whereIn(db.raw('lower(name)') as never, names);
          if (ids.length > 0) q.orWhereIn('id', ids);
        })
        .orderBy('name');
    },
    /** Undefined when the name is taken. */
    async insert(role: { name: string; description: string | null }): Promise<RoleRow | undefined> {
      const [row] = await table().insert(role as never).onConflict().ignore().returning('*');
      return row as RoleRow | undefined;
    },
    async list(): Promise<RoleRow[]> {
      return table().orderBy('name');
    },
  };
}

export type RolesRepo = ReturnType<typeof createRolesRepo>;
