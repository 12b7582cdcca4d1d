import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { LogCapture } from '../helpers/log-capture.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { csrfOf, linkIn } from '../helpers/self-service.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const PASSWORD = 'Alte-Passw0rt!';
const NEW_PASSWORD = 'Neues-Kennw0rt#7';
let app: TestApp;
let rp: RelyingParty;
let mail: SmtpCapture;
let logs: LogCapture;
let counter = 0;

beforeAll(async () => {
  mail = await startSmtpCapture();
  logs = new LogCapture();
  app = await startTestApp(
    { SMTP_URL: mail.url, LOG_LEVEL: 'info', LOCKOUT_THRESHOLD: '3', LOCKOUT_ACCOUNT_THRESHOLD: '6', LOCKOUT_HARD_LIMIT: '9', RATE_LIMIT_FORGOT_PASSWORD_PER_IP_PER_MINUTE: '1000' },
    { logDestination: logs },
  );
  rp = await registerRelyingParty(app);
});
afterAll(async () => {
  await app?.close();
  await mail?.close();
});
beforeEach(() => mail.clear());

const en = () => new Browser(app.url, { 'Accept-Language': 'en' });

async function newAccount(status: 'active' | 'blocked' | 'pending' = 'active') {
  counter += 1;
  return app.services.accounts.create({ email: `reset${counter}@example.com`, ...(status === 'pending' ? {} : { password: PASSWORD }), status, name: 'Kim Example' });
}

async function requestLink(browser: Browser, email: string, query = '') {
  const page = await browser.get(`/forgot-password${query}`);
  expect(page.status).toBe(200);
  return browser.post('/forgot-password', { csrf: csrfOf(page.text), email });
}

async function signIn(email: string, password: string, browser = en()) {
  const flow = new LoginFlow(app, rp, browser);
  await flow.startAuthorization({ scope: 'openid email offline_access' });
  await flow.submitPassword(email, password);
  return { flow, tokens: await flow.finishAtCallback() };
}

/** The mail-server conversations of the password_reset template (sent or rehearsed). */
const resetConversations = () => logs.find('mail server answered').filter((line) => line.template === 'password_reset').length;

describe('forgot password page (SPEC 4.7)', () => {
  test('shows "Email" and "Send link" and a CSRF token', async () => {
    const page = await en().get('/forgot-password');
    expect(page.text).toContain('>Email</label>');
    expect(page.text).toContain('>Send link</button>');
    csrfOf(page.text);
  });

  test('unknown, blocked and pending addresses get the same answer and the same work; only an active account gets the mail', async () => {
    const active = await newAccount();
    const blocked = await newAccount('blocked');
    const pending = await newAccount('pending');
    const answers: string[] = [];
    for (const email of [active.email, 'nobody@example.com', blocked.email, pending.email, 'not an address']) {
      const before = resetConversations();
      const res = await requestLink(en(), email);
      expect(res.status).toBe(200);
      answers.push(res.text);
      // Rendered and talked to the mail server once, whether or not it was sent.
      expect(resetConversations()).toBe(before + 1);
    }
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toContain('Please check your inbox');
    const sent = await mail.lastTo(active.email);
    expect(sent.subject).toBe('Choose a new password');
    expect(sent.text).toContain('valid for 60 minutes');
    expect(sent.text).toContain('You did not ask for this?');
    expect(mail.messages).toHaveLength(1);
  });

  test('posted without a CSRF token, twice, or with repeated fields: clear page, one mail at most', async () => {
    const account = await newAccount();
    const browser = en();
    expect((await browser.post('/forgot-password', { email: account.email })).status).toBe(403);
    const page = await browser.get('/forgot-password');
    const repeated = await browser.post('/forgot-password', `csrf=${csrfOf(page.text)}&email=${encodeURIComponent(account.email)}&email=x%40example.com`);
    expect(repeated.status).toBe(400);
    const fields = { csrf: csrfOf(page.text), email: account.email };
    expect((await browser.post('/forgot-password', fields)).status).toBe(200);
    expect((await browser.post('/forgot-password', fields)).status).toBe(200);
    expect(mail.countTo(account.email)).toBe(1);
    const tooLong = await requestLink(en(), `${'a'.repeat(490)}@example.com`);
    expect(tooLong.status).toBe(400);
  });
});

describe('reset link', () => {
  test('sets the password once, ends every session, refresh token and device, lifts the hard stop, proves the address', async () => {
    const account = await newAccount();
    expect(account.email_verified).toBe(false);
    const elsewhere = await signIn(account.email, PASSWORD);
    await app.services.devices.trust(account.id, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0');
    for (let i = 0; i < 9; i += 1) await app.services.lockout.recordFailure(account.id, 'pwd', `198.51.100.${i % 3}`);
    expect(await app.services.lockout.isLocked(account.id)).toBe(true);

    await requestLink(new Browser(app.url, { 'Accept-Language': 'nl' }), account.email);
    const sent = await mail.lastTo(account.email);
    expect(sent.subject).toBe('Kies een nieuw wachtwoord');
    const link = linkIn(sent, '/forgot-password/reset');
    const browser = en();
    const page = await browser.get(link);
    expect(page.status).toBe(200);
    for (const label of ['>Nieuw wachtwoord</label>', '>Wachtwoord opslaan</button>']) expect(page.text).toContain(label);
    expect((await browser.post(link, { password: NEW_PASSWORD, confirmation: 'anders' })).status).toBe(400);
    const results = await Promise.all([browser.post(link, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD }), en().post(link, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);

    await expect(oidc.refreshTokenGrant(rp.config, elsewhere.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await app.services.devices.list(account.id)).toEqual([]);
    expect(await app.services.lockout.isLocked(account.id)).toBe(false);
    expect((await app.services.accounts.findById(account.id))!.email_verified).toBe(true);
    // The link is a secret: the request log names its path without the token.
    expect(logs.text()).toContain('/forgot-password/reset/[redacted]');
    expect(logs.text()).not.toContain(link.split('/').pop()!);
    const used = await en().get(link);
    expect(used.status).toBe(400);
    expect(used.text).toContain('no longer valid');
    const after = await signIn(account.email, NEW_PASSWORD);
    expect(after.tokens.claims()).toMatchObject({ sub: account.id, email_verified: true });
  });

  test('expired, tampered and truncated links, and links of a blocked account, change nothing', async () => {
    const account = await newAccount();
    await requestLink(en(), account.email);
    const link = linkIn(await mail.lastTo(account.email), '/forgot-password/reset');
    const token = link.split('/').pop()!;
    for (const bad of [`/forgot-password/reset/${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, `/forgot-password/reset/${token.slice(0, 30)}`]) {
      expect((await en().get(bad)).status).toBe(400);
      expect((await en().post(bad, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD })).status).toBe(400);
    }
    app.clock.advance(61 * 60 * 1000);
    try {
      expect((await en().post(link, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD })).status).toBe(400);
    } finally {
      app.clock.advance(-61 * 60 * 1000);
    }
    await app.runtime.db('accounts').where({ id: account.id }).update({ status: 'blocked' });
    expect((await en().post(link, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD })).status).toBe(400);
    expect(await app.services.accounts.checkPassword(await app.services.accounts.findById(account.id), PASSWORD)).toBe(true);
  });

  test('a reset started from a sign-in continues it at the relying party; the browser keeps its session, others end', async () => {
    const account = await newAccount();
    const browser = en();
    await signIn(account.email, PASSWORD, browser);
    const elsewhere = await signIn(account.email, PASSWORD);
    const flow = new LoginFlow(app, rp, browser);
    await flow.startAuthorization({ prompt: 'login' });
    const forgotHref = /href="(\/forgot-password\?interaction=[^"]+)"/.exec(await flow.showPage())![1]!.replace(/&amp;/g, '&');
    await requestLink(browser, account.email, forgotHref.slice('/forgot-password'.length));
    const link = linkIn(await mail.lastTo(account.email), '/forgot-password/reset');
    const done = await browser.post(link, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD });
    expect(done.status).toBe(303);
    const continued = await browser.get(done.headers.location!);
    expect(continued.status).toBe(303);
    await flow.resume(continued.headers.location!);
    expect((await flow.finishAtCallback()).claims()).toMatchObject({ sub: account.id });
    await expect(oidc.refreshTokenGrant(rp.config, elsewhere.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

describe('per-IP limit', () => {
  test('forgot-password posts beyond the limit get the 429 page', async () => {
    const limited = await startTestApp({ RATE_LIMIT_FORGOT_PASSWORD_PER_IP_PER_MINUTE: '1' });
    try {
      const browser = new Browser(limited.url);
      const page = await browser.get('/forgot-password');
      const fields = { csrf: csrfOf(page.text), email: 'x@example.com' };
      expect((await browser.post('/forgot-password', fields)).status).toBe(200);
      expect((await browser.post('/forgot-password', fields)).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
