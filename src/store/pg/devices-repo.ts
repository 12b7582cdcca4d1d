import type { Db } from './db.js';

export interface DeviceRow {
  id: string;
  account_id: string;
  token_hash: string;
  browser_family: string | null;
  browser_major: string | null;
  os_family: string | null;
  summary: string | null;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

export type NewDevice = Omit<DeviceRow, 'id' | 'revoked_at'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createDevicesRepo(db: Db) {
  const table = () => db<DeviceRow>('trusted_devices');
  /** Neither revoked nor expired at `now`. */
  const active = (now: Date) => table().whereNull('revoked_at').where('expires_at', '>', now);
  return {
    async insert(device: NewDevice): Promise<DeviceRow> {
      const [row] = await table().insert(device as never).returning('*');
      return row as DeviceRow;
    },
    /**
     * Marks the device used and returns it, when the token names an active device of this
     * account, for this browser and OS family (and major version, if given), trusted after
     * the account's last password change; otherwise undefined and nothing changed. One
     * statement: the checks are part of the update (a null family matches a null family).
     */
    async useMatching({ tokenHash, accountId, osFamily, browserFamily, browserMajor, now }: { tokenHash: string; accountId: string; osFamily: string | null; browserFamily: string | null; browserMajor?: string | null; now: Date }): Promise<DeviceRow | undefined> {
      if (!UUID.test(accountId)) return undefined;
      const query = active(now).where({ token_hash: tokenHash, account_id: accountId }).where('os_family', osFamily).where('browser_family', browserFamily);
      if (browserMajor !== undefined) query.where('browser_major', browserMajor);
      query.whereRaw("created_at > coalesce((select password_changed_at from accounts where accounts.id = trusted_devices.account_id), '-infinity')");
      const [row] = await query.update({ last_used_at: now }).returning('*');
      return row as DeviceRow | undefined;
    },
    async listActive(accountId: string, now: Date): Promise<DeviceRow[]> {
      return active(now).where({ account_id: accountId }).orderBy('last_used_at', 'desc');
    },
    /** Revokes one device of this account only; false when there was none to revoke. */
    async revoke(id: string, accountId: string, now: Date): Promise<boolean> {
      if (!UUID.test(id)) return false;
      const count = await table().where({ id, account_id: accountId }).whereNull('revoked_at').update({ revoked_at: now });
      return count > 0;
    },
    /** Revokes the account's devices (only those created before `createdBefore`, if given); returns how many. */
    async revokeAll(accountId: string, now: Date, { createdBefore }: { createdBefore?: Date } = {}): Promise<number> {
      const query = table().where({ account_id: accountId }).whereNull('revoked_at');
      if (createdBefore) query.where('created_at', '<', createdBefore);
      return query.update({ revoked_at: now });
    },
  };
}

export type DevicesRepo = ReturnType<typeof createDevicesRepo>;
