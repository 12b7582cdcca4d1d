import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as trustedDevicesMigration from '../../migrations/006_trusted_devices.js';
import { createAuditLog } from '../../src/domain/audit.js';
import { createDeviceService, type DeviceServiceDeps } from '../../src/domain/devices.js';
import { describeUserAgent } from '../../src/domain/user-agent.js';
import { createAccountsRepo } from '../../src/store/pg/accounts-repo.js';
import { createAuditRepo } from '../../src/store/pg/audit-repo.js';
import { createDb, migrate, type Db } from '../../src/store/pg/db.js';
import { createDevicesRepo } from '../../src/store/pg/devices-repo.js';
import { createTestDatabase } from '../helpers/database.js';

const CHROME_131_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const CHROME_132_WINDOWS = CHROME_131_WINDOWS.replace('Chrome/131', 'Chrome/132');
const CHROME_131_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_133_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const DAY_MS = 24 * 60 * 60 * 1000;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
let accountId: string;
let otherAccountId: string;
let now = new Date('2025-01-10T09:00:00Z');
const clock = () => now;

function service(overrides: Partial<DeviceServiceDeps> = {}) {
  return createDeviceService({
    repo: createDevicesRepo(db),
    audit: createAuditLog(createAuditRepo(db)),
    trustDays: 30,
    bindBrowserMajor: false,
    hmacKey: 'k'.repeat(32),
    clock,
    ...overrides,
  });
}

beforeAll(async () => {
  database = await createTestDatabase('devices');
  db = createDb({ databaseUrl: database.url, dataDir: '/tmp' });
  await migrate(db);
  // Until 006 is listed in migrations/index.ts, run it here; afterwards migrate() has.
  if (!(await db.schema.hasTable('trusted_devices'))) await trustedDevicesMigration.up(db);
  const accounts = createAccountsRepo(db);
  accountId = (await accounts.insert({ email: 'device-owner@example.com' })).id;
  otherAccountId = (await accounts.insert({ email: 'someone-else@example.com' })).id;
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe('describeUserAgent', () => {
  test('names browser and OS family', () => {
    expect(describeUserAgent(CHROME_131_WINDOWS)).toEqual({ browserFamily: 'Chrome', browserMajor: '131', osFamily: 'Windows', summary: 'Chrome 131 on Windows' });
  });

  test('falls back to unknown for missing, odd or oversized input', () => {
    const unknown = { browserFamily: 'unknown', browserMajor: 'unknown', osFamily: 'unknown', summary: 'Unknown browser on unknown system' };
    expect(describeUserAgent(undefined)).toEqual(unknown);
    expect(describeUserAgent('')).toEqual(unknown);
    expect(describeUserAgent('x'.repeat(100_000))).toEqual(unknown);
    expect(describeUserAgent('<script>alert(1)</script>').summary).not.toContain('<');
  });
});

describe('trusted devices', () => {
  test('a trusted device is recognised and its use recorded', async () => {
    const devices = service();
    const { token, expiresAt } = await devices.trust(accountId, CHROME_131_WINDOWS, { ip: '192.0.2.7' });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt).toEqual(new Date(now.getTime() + 30 * DAY_MS));

    now = new Date(now.getTime() + DAY_MS);
    const device = await devices.recognise(token, accountId, CHROME_131_WINDOWS);
    expect(device).toMatchObject({ account_id: accountId, summary: 'Chrome 131 on Windows', last_used_at: now });
    expect(device).not.toHaveProperty('token_hash');

    const audit = await createAuditRepo(db).list({ accountId });
    expect(audit.map((e) => e.type)).toEqual(expect.arrayContaining(['device.trusted', 'device.used']));
    expect(audit.find((e) => e.type === 'device.trusted')).toMatchObject({ ip: '192.0.2.7', detail: { device_id: device!.id } });
  });

  test('the database holds only a keyed hash of the token', async () => {
    const { token } = await service().trust(accountId, CHROME_131_WINDOWS);
    const rows = await db('trusted_devices').select('*');
    expect(JSON.stringify(rows)).not.toContain(token);
    const audit = await db('audit_events').select('*');
    expect(JSON.stringify(audit)).not.toContain(token);
    for (const row of rows) expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    // Another key does not recognise the token: the hash alone is not enough.
    expect(await service({ hmacKey: 'o'.repeat(32) }).recognise(token, accountId, CHROME_131_WINDOWS)).toBeUndefined();
  });

  test('an expired device is refused', async () => {
    const devices = service({ trustDays: 2 });
    const { token } = await devices.trust(accountId, CHROME_131_WINDOWS);
    const trustedAt = now;
    now = new Date(trustedAt.getTime() + 2 * DAY_MS - 1000);
    const device = await devices.recognise(token, accountId, CHROME_131_WINDOWS);
    expect(device).toBeDefined();
    now = new Date(trustedAt.getTime() + 2 * DAY_MS + 1000);
    expect(await devices.recognise(token, accountId, CHROME_131_WINDOWS)).toBeUndefined();
    expect((await devices.list(accountId)).map((d) => d.id)).not.toContain(device!.id);
  });

  test('a revoked device is refused; revoke all ends every device', async () => {
    const devices = service();
    const first = await devices.trust(accountId, CHROME_131_WINDOWS);
    const second = await devices.trust(accountId, CHROME_131_WINDOWS);
    const firstId = (await devices.recognise(first.token, accountId, CHROME_131_WINDOWS))!.id;

    expect(await devices.revoke(otherAccountId, firstId)).toBe(false); // not theirs
    expect(await devices.recognise(first.token, accountId, CHROME_131_WINDOWS)).toBeDefined();
    expect(await devices.revoke(accountId, firstId, 'admin@example.com')).toBe(true);
    expect(await devices.revoke(accountId, firstId)).toBe(false); // already revoked
    expect(await devices.revoke(accountId, 'not-a-uuid')).toBe(false);
    expect(await devices.recognise(first.token, accountId, CHROME_131_WINDOWS)).toBeUndefined();
    expect(await devices.recognise(second.token, accountId, CHROME_131_WINDOWS)).toBeDefined();

    expect(await devices.revokeAll(accountId)).toBeGreaterThanOrEqual(1);
    expect(await devices.recognise(second.token, accountId, CHROME_131_WINDOWS)).toBeUndefined();
    expect(await devices.list(accountId)).toEqual([]);
    const revocations = await createAuditRepo(db).list({ accountId, type: 'device.revoked' });
    expect(revocations.map((e) => e.actor)).toEqual([null, 'admin@example.com']);
  });

  test("another account's device is refused", async () => {
    const devices = service();
    const { token } = await devices.trust(otherAccountId, CHROME_131_WINDOWS);
    expect(await devices.recognise(token, accountId, CHROME_131_WINDOWS)).toBeUndefined();
    expect(await devices.recognise(token, otherAccountId, CHROME_131_WINDOWS)).toBeDefined();
  });

  test('another OS family or browser family is refused', async () => {
    const devices = service();
    const { token } = await devices.trust(accountId, CHROME_131_WINDOWS);
    expect(await devices.recognise(token, accountId, CHROME_131_LINUX)).toBeUndefined();
    expect(await devices.recognise(token, accountId, FIREFOX_133_WINDOWS)).toBeUndefined();
    expect(await devices.recognise(token, accountId, undefined)).toBeUndefined();
    expect(await devices.recognise(token, accountId, CHROME_131_WINDOWS)).toBeDefined();
  });

  test('a browser major update is accepted by default and refused when bound', async () => {
    const { token } = await service().trust(accountId, CHROME_131_WINDOWS);
    expect(await service({ bindBrowserMajor: true }).recognise(token, accountId, CHROME_132_WINDOWS)).toBeUndefined();
    expect(await service({ bindBrowserMajor: true }).recognise(token, accountId, CHROME_131_WINDOWS)).toBeDefined();
    expect(await service().recognise(token, accountId, CHROME_132_WINDOWS)).toBeDefined();
  });

  test('a password change after trusting ends the trust', async () => {
    const devices = service();
    const { token } = await devices.trust(accountId, CHROME_131_WINDOWS);
    await db('accounts').where({ id: accountId }).update({ password_changed_at: new Date(now.getTime() - 1000) });
    expect(await devices.recognise(token, accountId, CHROME_131_WINDOWS)).toBeDefined();
    now = new Date(now.getTime() + 60_000);
    await db('accounts').where({ id: accountId }).update({ password_changed_at: now });
    expect(await devices.recognise(token, accountId, CHROME_131_WINDOWS)).toBeUndefined();
    await db('accounts').where({ id: accountId }).update({ password_changed_at: null });
  });

  test('malformed tokens are refused without a lookup', async () => {
    const repo = createDevicesRepo(db);
    let lookups = 0;
    const devices = service({ repo: { ...repo, useMatching: (...args) => (lookups++, repo.useMatching(...args)) } });
    const { token } = await devices.trust(accountId, CHROME_131_WINDOWS);
    for (const bad of [undefined, '', token.slice(0, 42), `${token}A`, `${token.slice(0, 42)}=`, `${token.slice(0, 42)}+`, "' or 1=1 --", 'x'.repeat(10_000)]) {
      expect(await devices.recognise(bad, accountId, CHROME_131_WINDOWS)).toBeUndefined();
    }
    expect(lookups).toBe(0);
    expect(await devices.recognise(token, accountId, CHROME_131_WINDOWS)).toBeDefined();
    expect(lookups).toBe(1);
  });

  test('list shows the active devices with their summary', async () => {
    const devices = service();
    await devices.revokeAll(accountId);
    await devices.trust(accountId, CHROME_131_WINDOWS);
    await devices.trust(accountId, FIREFOX_133_WINDOWS);
    const listed = await devices.list(accountId);
    expect(listed.map((d) => d.summary).sort()).toEqual(['Chrome 131 on Windows', 'Firefox 133 on Windows']);
    for (const device of listed) expect(device).not.toHaveProperty('token_hash');
  });

  test('deleting the account removes its devices', async () => {
    const doomed = await createAccountsRepo(db).insert({ email: 'doomed@example.com' });
    await service().trust(doomed.id, CHROME_131_WINDOWS);
    await db('accounts').where({ id: doomed.id }).delete();
    expect(await db('trusted_devices').where({ account_id: doomed.id })).toEqual([]);
  });
});
