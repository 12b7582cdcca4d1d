import { createHmac, randomBytes } from 'node:crypto';
import type { DeviceRow, DevicesRepo } from '../store/pg/devices-repo.js';
import type { AuditActor, AuditLog } from './audit.js';
import { describeUserAgent } from './user-agent.js';

/** A device as shown and passed around; the token hash stays in the repository. */
export type TrustedDevice = Omit<DeviceRow, 'token_hash'>;

export interface DeviceServiceDeps {
  repo: DevicesRepo;
  audit: AuditLog;
  /** How long a device stays trusted after the TAN that trusted it (SPEC 4.4: 30). */
  trustDays: number;
  /** Whether a new browser major version also ends the trust (SPEC 4.4: configurable). */
  bindBrowserMajor: boolean;
  /** Key of the HMAC over tokens, so a database dump alone cannot forge or test cookies. */
  hmacKey: string;
  clock?: () => Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** 32 random bytes in base64url, unpadded. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

function toDevice({ token_hash: _hash, ...device }: DeviceRow): TrustedDevice {
  return device;
}

export function createDeviceService({ repo, audit, trustDays, bindBrowserMajor, hmacKey, clock = () => new Date() }: DeviceServiceDeps) {
  if (!hmacKey) throw new Error('createDeviceService needs an hmacKey');
  if (!(trustDays > 0)) throw new Error('createDeviceService needs a positive trustDays');
  const hashToken = (token: string) => createHmac('sha256', hmacKey).update(token).digest('hex');

  return {
    /** Remembers this browser for the account; the token goes into the cookie and nowhere else. */
    async trust(accountId: string, userAgent: string | undefined, meta: { ip?: string } = {}): Promise<{ token: string; expiresAt: Date }> {
      const now = clock();
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + trustDays * DAY_MS);
      const described = describeUserAgent(userAgent);
      const row = await repo.insert({
        account_id: accountId,
        token_hash: hashToken(token),
        browser_family: described.browserFamily,
        browser_major: described.browserMajor,
        os_family: described.osFamily,
        summary: described.summary,
        created_at: now,
        last_used_at: now,
        expires_at: expiresAt,
      });
      await audit.record('device.trusted', { account_id: accountId, ip: meta.ip ?? null, detail: { device_id: row.id, summary: row.summary } });
      return { token, expiresAt };
    },

    /**
     * The trusted device this token names for this account and browser, or undefined.
     * A password change, another OS or browser family (and, if bound, another browser
     * major version) end the trust, as do expiry and revocation. The use is recorded in
     * `auditTo` when given (a sign-in's batch, written with its login row).
     */
    async recognise(token: string | undefined, accountId: string, userAgent: string | undefined, auditTo: AuditLog = audit): Promise<TrustedDevice | undefined> {
      if (!token || !TOKEN_FORMAT.test(token)) return undefined;
      const current = describeUserAgent(userAgent);
      // Found, checked and marked used in one statement.
      const used = await repo.useMatching({
        tokenHash: hashToken(token),
        accountId,
        osFamily: current.osFamily,
        browserFamily: current.browserFamily,
        ...(bindBrowserMajor ? { browserMajor: current.browserMajor } : {}),
        now: clock(),
      });
      if (!used) return undefined;
      await auditTo.record('device.used', { account_id: accountId, detail: { device_id: used.id } });
      return toDevice(used);
    },

    async list(accountId: string): Promise<TrustedDevice[]> {
      return (await repo.listActive(accountId, clock())).map(toDevice);
    },

    /** False when the account has no such unrevoked device (unknown, someone else's, or revoked already). */
    async revoke(accountId: string, deviceId: string, actor?: AuditActor): Promise<boolean> {
      const revoked = await repo.revoke(deviceId, accountId, clock());
      if (revoked) await audit.record('device.revoked', { account_id: accountId, actor: actor ?? null, detail: { device_id: deviceId } });
      return revoked;
    },

    /** Returns how many devices were revoked. */
    async revokeAll(accountId: string, actor?: AuditActor): Promise<number> {
      const count = await repo.revokeAll(accountId, clock());
      if (count > 0) await audit.record('device.revoked', { account_id: accountId, actor: actor ?? null, detail: { all: true, count } });
      return count;
    },
  };
}

export type DeviceService = ReturnType<typeof createDeviceService>;
