import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/** The account page (SPEC 4.9) through its pages, as a browser with cookies uses it. */

const PASSWORD = 'Sichere-Passw0rt!';
let app: TestApp;
let rp: RelyingParty;
let mail: SmtpCapture;
let counter = 0;

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({ SMTP_URL: mail.url, RATE_LIMIT_PASSWORD_PER_IP_PER_MINUTE: '10000', LOCKOUT_THRESHOLD: '3', LOCKOUT_ACCOUNT_THRESHOLD: '6', LOCKOUT_HARD_LIMIT: '9' });
  rp = await registerRelyingParty(app);
});
afterAll(async () => {
  await app?.close();
  await mail?.close();
});
beforeEach(() => mail.clear());

async function newAccount(name = 'Kim Example') {
  counter += 1;
  return app.services.accounts.create({ email: `page${counter}@example.com`, password: PASSWORD, name });
}

/** A browser signed in with a password, at the account page (one trusted device listed) with its CSRF token. */
async function atAccountPage(email: string) {
  const account = (await app.services.accounts.findByEmail(email))!;
  await app.services.devices.trust(account.id, 'Mozilla/5.0 (Windows NT 10.0) Chrome/131.0.0.0');
  const flow = new LoginFlow(app, rp, new Browser(app.url, { 'Accept-Language': 'en' }));
  await flow.startAuthorization({ scope: 'openid email offline_access' });
  await flow.submitPassword(email, PASSWORD);
  const tokens = await flow.finishAtCallback();
  const page = await flow.browser.get('/account');
  expect(page.status).toBe(200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1]!;
  return { flow, browser: flow.browser, csrf, page: page.text, tokens };
}

describe('account page: shared session guard, CSRF and actor', () => {
  test('revoking devices is recorded with the person as actor (kind self)', async () => {
    const account = await newAccount();
    await app.services.devices.trust(account.id, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0');
    const { browser, csrf } = await atAccountPage(account.email);
    const res = await browser.post('/account/devices/revoke-all', { csrf });
    expect(res.status).toBe(303);
    const [event] = await app.runtime.db('audit_events').where({ account_id: account.id, type: 'device.revoked' });
    expect(event).toMatchObject({ actor_kind: 'self', actor_id: account.id, actor: `account:${account.id}` });
  });

  test.each([
    ['missing', () => ({})],
    ['foreign', (foreign: string) => ({ csrf: foreign })],
  ])('a %s CSRF token is refused (403) and changes nothing', async (_case, form) => {
    const account = await newAccount();
    const mine = await atAccountPage(account.email);
    const other = await atAccountPage((await newAccount()).email);
    const res = await mine.browser.post('/account/devices/revoke-all', form(other.csrf) as Record<string, string>);
    expect(res.status).toBe(403);
    expect(res.text).toContain('This form has expired or did not come from this page');
    expect(await app.services.devices.list(account.id)).toHaveLength(1);
  });

  test('without a session the page explains how to sign in, and posts are refused', async () => {
    const browser = new Browser(app.url, { 'Accept-Language': 'en' });
    expect((await browser.get('/account')).status).toBe(401);
    expect((await browser.post('/account/devices/revoke-all', { csrf: 'x' })).status).toBe(401);
  });

  test('the page never carries the password hash', async () => {
    const account = await newAccount();
    const { page } = await atAccountPage(account.email);
    const row = await app.runtime.db('accounts').where({ id: account.id }).first();
    expect(page).not.toContain(row.password_hash);
    expect(page).not.toContain('$2b$');
  });
});

const NEW_PASSWORD = 'Neues-Kennw0rt#7';

async function isSessionAlive(flow: LoginFlow): Promise<boolean> {
  const again = new LoginFlow(app, rp, flow.browser);
  const target = await again.startAuthorization({ prompt: 'none' });
  return new URL(target).searchParams.get('error') === null;
}

async function passwordIs(accountId: string, password: string): Promise<boolean> {
  return app.services.accounts.checkPassword(await app.services.accounts.findById(accountId), password);
}

describe('account page: change password', () => {
  test('the right current password and a good new one: saved, other sessions end, this one stays, a mail tells', async () => {
    const account = await newAccount();
    const elsewhere = await atAccountPage(account.email);
    const here = await atAccountPage(account.email);
    expect(here.page).toContain('<label for="current_password">Current password</label>');
    expect(here.page).toContain('<label for="password">New password</label>');
    expect(here.page).toContain('<label for="confirmation">Confirm new password</label>');
    expect(here.page).toContain('Save password');

    const res = await here.browser.post('/account/password', { csrf: here.csrf, current_password: PASSWORD, password: NEW_PASSWORD, confirmation: NEW_PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account?done=password_changed');
    expect((await here.browser.get(res.headers.location!)).text).toContain('Your password was changed.');
    expect(await isSessionAlive(here.flow)).toBe(true);
    expect(await isSessionAlive(elsewhere.flow)).toBe(false);
    await expect(oidc.refreshTokenGrant(rp.config, elsewhere.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await passwordIs(account.id, NEW_PASSWORD)).toBe(true);
    expect(await app.services.devices.list(account.id)).toEqual([]);
    expect((await mail.lastTo(account.email)).subject).toBe('Your password was changed');
  });

  test('a wrong current password is told at its field, counts as a password failure, and changes nothing', async () => {
    const account = await newAccount();
    const { browser, csrf, flow } = await atAccountPage(account.email);
    const res = await browser.post('/account/password', { csrf, current_password: 'Falsch-Passw0rt!', password: NEW_PASSWORD, confirmation: NEW_PASSWORD });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/<p class="field-error" id="current_password-error">The current password is not correct.<\/p>/);
    expect(res.text).toContain('aria-describedby="current_password-error"');
    expect(res.text).not.toContain('Falsch-Passw0rt!');
    expect(await app.services.lockout.failures(account.id, 'pwd')).toBe(1);
    expect(await passwordIs(account.id, PASSWORD)).toBe(true);
    expect(await isSessionAlive(flow)).toBe(true);
    expect(mail.countTo(account.email)).toBe(0);
  });

  test('after the lockout threshold even the right current password is refused', async () => {
    const account = await newAccount();
    const { browser, csrf } = await atAccountPage(account.email);
    for (let i = 0; i < 3; i += 1) {
      expect((await browser.post('/account/password', { csrf, current_password: `Falsch-${i}-Passw0rt!`, password: NEW_PASSWORD, confirmation: NEW_PASSWORD })).status).toBe(400);
    }
    const locked = await browser.post('/account/password', { csrf, current_password: PASSWORD, password: NEW_PASSWORD, confirmation: NEW_PASSWORD });
    expect(locked.status).toBe(400);
    expect(locked.text).toContain('The current password is not correct.');
    expect(await passwordIs(account.id, PASSWORD)).toBe(true);
  });

  test.each([
    ['a mismatched confirmation', { password: NEW_PASSWORD, confirmation: 'Anderes-Passw0rt!' }, 'The two passwords are not the same.'],
    ['a password breaking the rules', { password: 'kurz', confirmation: 'kurz' }, 'The password does not meet all rules below.'],
    ['a common password', { password: 'Password1!', confirmation: 'Password1!' }, 'The password does not meet all rules below.'],
  ])('%s is told at the field and changes nothing', async (_case, fields, message) => {
    const account = await newAccount();
    const { browser, csrf, flow } = await atAccountPage(account.email);
    const res = await browser.post('/account/password', { csrf, current_password: PASSWORD, ...fields });
    expect(res.status).toBe(400);
    expect(res.text).toContain(`<p class="field-error" id="password-error">${message}</p>`);
    expect(await passwordIs(account.id, PASSWORD)).toBe(true);
    expect(await isSessionAlive(flow)).toBe(true);
    expect(mail.countTo(account.email)).toBe(0);
  });

  test('a repeated field is a bad request and changes nothing', async () => {
    const account = await newAccount();
    const { browser, csrf } = await atAccountPage(account.email);
    const body = new URLSearchParams([['csrf', csrf], ['current_password', PASSWORD], ['password', NEW_PASSWORD], ['password', 'Zweites-Passw0rt!'], ['confirmation', NEW_PASSWORD]]).toString();
    const res = await browser.post('/account/password', body);
    expect(res.status).toBe(400);
    expect(await passwordIs(account.id, PASSWORD)).toBe(true);
  });

  test.each(['/account/password', '/account/sign-out-everywhere'])('%s without or with a foreign CSRF token is refused and changes nothing', async (path) => {
    const account = await newAccount();
    const mine = await atAccountPage(account.email);
    const other = await atAccountPage((await newAccount()).email);
    for (const csrf of [undefined, other.csrf]) {
      const res = await mine.browser.post(path, { ...(csrf ? { csrf } : {}), current_password: PASSWORD, password: NEW_PASSWORD, confirmation: NEW_PASSWORD });
      expect(res.status).toBe(403);
    }
    expect(await passwordIs(account.id, PASSWORD)).toBe(true);
    expect(await isSessionAlive(mine.flow)).toBe(true);
    expect(mail.countTo(account.email)).toBe(0);
  });
});

describe('account page: sign out everywhere', () => {
  test('ends this session, every other one and every token; the person lands signed out and is mailed', async () => {
    const account = await newAccount();
    const elsewhere = await atAccountPage(account.email);
    const here = await atAccountPage(account.email);
    expect(here.page).toContain('Sign out everywhere</button>');

    const res = await here.browser.post('/account/sign-out-everywhere', { csrf: here.csrf });
    expect(res.status).toBe(200);
    expect(res.text).toContain('You were signed out everywhere');
    expect((await here.browser.get('/account')).status).toBe(401);
    expect(await isSessionAlive(here.flow)).toBe(false);
    expect(await isSessionAlive(elsewhere.flow)).toBe(false);
    for (const { tokens } of [here, elsewhere]) {
      expect(await oidc.tokenIntrospection(rp.config, tokens.access_token)).toEqual({ active: false });
      await expect(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    }
    expect((await mail.lastTo(account.email)).subject).toBe('You were signed out everywhere');
    const [event] = await app.runtime.db('audit_events').where({ account_id: account.id, type: 'account.signed_out' });
    expect(event).toMatchObject({ actor_kind: 'self', actor_id: account.id, detail: { reason: 'sign_out_everywhere', sessions: 2 } });
  });
});
