import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { PasswordRejected } from '../../src/domain/onboarding.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * The one "replace a password" use case (services.credentials.setNewPassword) that the
 * account page and the reset link call: what it ends, lifts and mails.
 */

const PASSWORD = 'Sichere-Passw0rt!';
const NEW_PASSWORD = 'Neues-Kennw0rt#7';
let app: TestApp;
let rp: RelyingParty;
let mail: SmtpCapture;
let counter = 0;

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({ SMTP_URL: mail.url, LOCKOUT_THRESHOLD: '3', LOCKOUT_ACCOUNT_THRESHOLD: '6', LOCKOUT_HARD_LIMIT: '9' });
  rp = await registerRelyingParty(app);
});
afterAll(async () => {
  await app?.close();
  await mail?.close();
});
beforeEach(() => mail.clear());

async function newAccount() {
  counter += 1;
  return app.services.accounts.create({ email: `change${counter}@example.com`, password: PASSWORD, name: 'Kim Example' });
}

async function signIn(email: string, password = PASSWORD) {
  const flow = new LoginFlow(app, rp);
  await flow.startAuthorization({ scope: 'openid email offline_access' });
  await flow.submitPassword(email, password);
  return { flow, tokens: await flow.finishAtCallback() };
}

async function isSessionAlive(flow: LoginFlow): Promise<boolean> {
  const again = new LoginFlow(app, rp, flow.browser);
  const target = await again.startAuthorization({ prompt: 'none' });
  return new URL(target).searchParams.get('error') === null;
}

const sessionIdsOf = (accountId: string) => app.runtime.redis.hkeys(`pforte:account:{${accountId}}:sessions`);

describe('setNewPassword', () => {
  test('a change keeps the session it was made in, ends the others, revokes tokens and devices, and mails the owner', async () => {
    const account = await newAccount();
    const here = await signIn(account.email);
    const [hereId] = await sessionIdsOf(account.id);
    const elsewhere = await signIn(account.email);
    await app.services.devices.trust(account.id, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0');

    await app.services.credentials.setNewPassword(account, NEW_PASSWORD, { reason: 'changed', keepSessionId: hereId, locale: 'en', confirmation: NEW_PASSWORD });

    expect(await isSessionAlive(here.flow)).toBe(true);
    expect(await isSessionAlive(elsewhere.flow)).toBe(false);
    await expect(oidc.refreshTokenGrant(rp.config, elsewhere.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await app.services.devices.list(account.id)).toEqual([]);
    expect(await app.services.accounts.checkPassword(await app.services.accounts.findById(account.id), NEW_PASSWORD)).toBe(true);

    const sent = await mail.lastTo(account.email);
    expect(sent.subject).toBe('Your password was changed');
    expect(sent.text).toContain('Kim Example');
    expect(sent.text).toContain('changed on your account page');
    expect(sent.text).toContain('It was not you?');
    expect(sent.html).toContain('lang="en"');
    expect(sent.text).not.toContain(NEW_PASSWORD);

    const events = await app.services.auditRepo.list({ accountId: account.id });
    expect(events.find((e) => e.type === 'password.changed')).toMatchObject({ detail: { reason: 'changed' } });
    expect(events.find((e) => e.type === 'account.signed_out')).toMatchObject({ detail: { reason: 'password_changed', sessions: 1 } });
    expect(JSON.stringify(events)).not.toContain(NEW_PASSWORD);
  });

  test('a reset ends every session and lifts the hard stop', async () => {
    const account = await newAccount();
    const before = await signIn(account.email);
    for (let i = 0; i < 9; i += 1) await app.services.lockout.recordFailure(account.id, 'pwd', `198.51.100.${i % 3}`);
    expect(await app.services.lockout.isLocked(account.id)).toBe(true);

    await app.services.credentials.setNewPassword(account, NEW_PASSWORD, { reason: 'reset', locale: 'de' });

    expect(await isSessionAlive(before.flow)).toBe(false);
    expect(await app.services.lockout.isLocked(account.id)).toBe(false);
    const sent = await mail.lastTo(account.email);
    expect(sent.subject).toBe('Ihr Passwort wurde geändert');
    expect(sent.text).toContain('Link neu vergeben');
    const after = await signIn(account.email, NEW_PASSWORD);
    expect(after.tokens.claims()!.sub).toBe(account.id);
  });

  test.each([
    ['a password breaking the rules', 'kurz', undefined, 'password_rules'],
    ['a common password', 'Password1!', undefined, 'password_rules'],
    ['the email as password', undefined, undefined, 'password_rules'],
    ['a mismatched confirmation', NEW_PASSWORD, 'Anderes-Passw0rt!', 'password_mismatch'],
  ])('%s is refused and changes nothing', async (_case, password, confirmation, reason) => {
    const account = await newAccount();
    const session = await signIn(account.email);
    const attempt = app.services.credentials.setNewPassword(account, password ?? account.email, { reason: 'changed', locale: 'en', confirmation });
    await expect(attempt).rejects.toBeInstanceOf(PasswordRejected);
    await expect(attempt).rejects.toMatchObject({ reason });
    expect(await isSessionAlive(session.flow)).toBe(true);
    expect(await app.services.accounts.checkPassword(await app.services.accounts.findById(account.id), PASSWORD)).toBe(true);
    expect(mail.countTo(account.email)).toBe(0);
  });

  test.each([
    ['nl', 'Uw wachtwoord is gewijzigd', /Was u dit niet\?/],
    ['de', 'Ihr Passwort wurde geändert', /Das waren nicht Sie\?/],
  ] as const)('the mail in %s names what happened and what to do', async (locale, subject, notYou) => {
    const account = await newAccount();
    await app.services.credentials.setNewPassword(account, NEW_PASSWORD, { reason: 'changed', locale });
    const sent = await mail.lastTo(account.email);
    expect(sent.subject).toBe(subject);
    expect(sent.text).toMatch(notYou);
    expect(sent.html).toMatch(notYou);
  });
});
