import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
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
  app = await startTestApp({ SMTP_URL: mail.url, RATE_LIMIT_PASSWORD_PER_IP_PER_MINUTE: '10000' });
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
