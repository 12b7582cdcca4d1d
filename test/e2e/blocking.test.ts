import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/** Blocking (SPEC 4.8): what ends at once, what a blocked person is told and when; the hard stop. */

const PASSWORD = 'Sichere-Passw0rt!';
const WRONG = 'Falsch-Passw0rt!';
const INVALID = 'The email address or password is incorrect.';
const ADMIN = { kind: 'admin', id: 'cli:test' } as const;
let app: TestApp;
let rp: RelyingParty;
let counter = 0;

beforeAll(async () => {
  app = await startTestApp({
    SUPPORT_CONTACT: 'Service desk, +49 89 1234-0',
    RATE_LIMIT_PASSWORD_PER_IP_PER_MINUTE: '10000',
    TRUST_PROXY: 'true',
    LOCKOUT_THRESHOLD: '3',
    LOCKOUT_ACCOUNT_THRESHOLD: '6',
    LOCKOUT_HARD_LIMIT: '9',
  });
  rp = await registerRelyingParty(app);
  await app.services.roles.create({ name: 'user-manager' });
  await app.services.organisations.create({ name: 'Maklerbüro Nord', grantableRoles: ['user-manager'] });
  await app.services.organisations.create({ name: 'Maklerbüro Süd', grantableRoles: ['user-manager'] });
  await app.services.accounts.create({ email: 'ulla.manager@example.com', name: 'Ulla Manager', password: PASSWORD, organisation: 'Maklerbüro Nord', roles: ['user-manager'] });
  await app.services.accounts.create({ email: 'sven.sued@example.com', name: 'Sven Süd', password: PASSWORD, organisation: 'Maklerbüro Süd', roles: ['user-manager'] });
});
afterAll(() => app?.close());

async function newAccount(organisation?: string) {
  counter += 1;
  return app.services.accounts.create({ email: `person${counter}@example.com`, password: PASSWORD, ...(organisation ? { organisation } : {}) });
}

async function signIn(email: string) {
  const flow = new LoginFlow(app, rp);
  await flow.startAuthorization({ scope: 'openid email offline_access' });
  await flow.submitPassword(email, PASSWORD);
  return { flow, tokens: await flow.finishAtCallback() };
}

/** One password post at the login page, in English, from its own address. */
async function tryPassword(email: string, password: string) {
  const flow = new LoginFlow(app, rp, new Browser(app.url, { 'Accept-Language': 'en', 'X-Forwarded-For': `203.0.113.${++counter % 250}` }));
  await flow.startAuthorization({ ui_locales: 'en' });
  const res = await flow.browser.post(`/interaction/${flow.uid}/password`, { email, password });
  return { status: res.status, text: res.text };
}

describe('blocking', () => {
  test('ends the account\'s sessions, refresh and access tokens at once', async () => {
    const account = await newAccount();
    const { flow, tokens } = await signIn(account.email);
    const blocked = await app.services.accountStatus.block(ADMIN, account.email);
    expect(blocked.status).toBe('blocked');

    expect(await oidc.tokenIntrospection(rp.config, tokens.access_token)).toEqual({ active: false });
    await expect(oidc.fetchUserInfo(rp.config, tokens.access_token, account.id)).rejects.toMatchObject({ status: 401 });
    await expect(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const again = new LoginFlow(app, rp, flow.browser);
    expect(new URL(await again.startAuthorization({ prompt: 'none' })).searchParams.get('error')).toBe('login_required');
    const [event] = await app.runtime.db('audit_events').where({ account_id: account.id, type: 'account.blocked' });
    expect(event).toMatchObject({ actor_kind: 'admin', actor_id: 'cli:test' });
  });

  test('a code issued before the block is refused at /token, also when the revocation missed its grant', async () => {
    // The code brings the claims read at /auth to /token (no second read of Postgres there).
    const account = await newAccount();
    const first = new LoginFlow(app, rp);
    await first.startAuthorization({ scope: 'openid email offline_access' });
    await first.submitPassword(account.email, PASSWORD);
    // A session and grant saved while the block ran are not in the account's index yet:
    // simulated by emptying it (offline_access: the codes do not end with the session).
    const second = new LoginFlow(app, rp, first.browser);
    await second.startAuthorization({ scope: 'openid email offline_access' });
    await app.runtime.redis.del(`pforte:account:{${account.id}}:grants`, `pforte:account:{${account.id}}:sessions`);
    await app.services.accountStatus.block(ADMIN, account.email);
    await expect(first.finishAtCallback()).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(second.finishAtCallback()).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  test('a blocked person with a wrong password sees exactly the wrong-password page', async () => {
    const account = await newAccount('Maklerbüro Nord');
    await app.services.accountStatus.block(ADMIN, account.id);
    const blocked = await tryPassword(account.email, WRONG);
    const unknown = await tryPassword('nobody@example.com', WRONG);
    expect(blocked.status).toBe(401);
    expect(unknown.status).toBe(401);
    for (const page of [blocked, unknown]) {
      expect(page.text).toContain(INVALID);
      expect(page.text).not.toContain('Your account is blocked');
      expect(page.text).not.toContain('Whom to contact');
      expect(page.text).not.toContain('ulla.manager@example.com');
    }
  });

  test('with the right password the person is told, and sees their organisation\'s user managers', async () => {
    const account = await newAccount('Maklerbüro Nord');
    await app.services.accountStatus.block(ADMIN, account.id);
    const page = await tryPassword(account.email, PASSWORD);
    expect(page.status).toBe(403);
    expect(page.text).toContain('Your account is blocked.');
    expect(page.text).toContain('Ulla Manager');
    expect(page.text).toContain('ulla.manager@example.com');
    expect(page.text).not.toContain('sven.sued@example.com');
    // The contacts are the user managers; the service desk stays only in the page footer.
    const contacts = page.text.slice(page.text.indexOf('id="contacts-title"'), page.text.indexOf('</section>'));
    expect(contacts).toContain('ulla.manager@example.com');
    expect(contacts).not.toContain('Service desk, +49 89 1234-0');
  });

  test('without user managers the service desk is the contact', async () => {
    const account = await newAccount();
    await app.services.accountStatus.block(ADMIN, account.id);
    const page = await tryPassword(account.email, PASSWORD);
    expect(page.status).toBe(403);
    expect(page.text).toContain('Please contact the service desk: Service desk, +49 89 1234-0');
  });

  test('unblocking lets the person sign in again', async () => {
    const account = await newAccount();
    await app.services.accountStatus.block(ADMIN, account.id);
    expect((await app.services.accountStatus.unblock(ADMIN, account.email)).status).toBe('active');
    const { tokens } = await signIn(account.email);
    expect(tokens.claims()!.sub).toBe(account.id);
  });

  test('the person themself may not unblock; a user manager of another organisation may not block', async () => {
    const account = await newAccount('Maklerbüro Nord');
    const other = (await app.services.organisations.list()).find((o: { name: string }) => o.name === 'Maklerbüro Süd')!;
    await expect(app.services.accountStatus.block({ kind: 'userManager', accountId: 'x', organisationId: other.id }, account.id)).rejects.toMatchObject({ code: 'forbidden' });
    await app.services.accountStatus.block(ADMIN, account.id);
    await expect(app.services.accountStatus.unblock({ kind: 'self', accountId: account.id }, account.id)).rejects.toMatchObject({ code: 'forbidden' });
    expect((await app.services.accounts.findById(account.id))!.status).toBe('blocked');
  });
});

describe('the hard stop survives Redis', () => {
  async function reachHardStop(accountId: string) {
    for (let i = 0; i < 9; i += 1) await app.services.lockout.recordFailure(accountId, 'pwd', `198.51.100.${i % 3}`);
  }
  async function flushLockoutKeys(accountId: string) {
    const keys = await app.runtime.redis.keys(`${app.redisPrefix}pforte:lockout:{${accountId}}:*`);
    // KEYS takes and answers full names; DEL adds the client's key prefix itself.
    if (keys.length > 0) await app.runtime.redis.del(...keys.map((key) => key.slice(app.redisPrefix.length)));
  }

  test('after a Redis flush the account stays locked; only unlock lifts it', async () => {
    const account = await newAccount();
    await reachHardStop(account.id);
    await flushLockoutKeys(account.id);
    expect(await app.services.lockout.failures(account.id, 'pwd')).toBe(0);
    expect(await app.services.lockout.isLocked(account.id, '192.0.2.1')).toBe(true);
    expect((await tryPassword(account.email, PASSWORD)).text).toContain(INVALID);

    await app.services.accountStatus.unlock(ADMIN, account.email);
    expect(await app.services.lockout.isLocked(account.id, '192.0.2.1')).toBe(false);
    expect((await tryPassword(account.email, PASSWORD)).status).toBe(303);
  });

  test('a password reset lifts it too', async () => {
    const account = await newAccount();
    await reachHardStop(account.id);
    await flushLockoutKeys(account.id);
    await app.services.credentials.setNewPassword(account, 'Neues-Kennw0rt#7', { reason: 'reset', locale: 'en' });
    expect(await app.services.lockout.isLocked(account.id, '192.0.2.1')).toBe(false);
  });
});
