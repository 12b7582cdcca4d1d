import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let rp: RelyingParty;
beforeAll(async () => {
  app = await startTestApp();
  rp = await registerRelyingParty(app);
});
afterAll(() => app?.close());

const en = () => new Browser(app.url, { 'Accept-Language': 'en' });

describe('activation link (SPEC 4.6)', () => {
  test('sets the password once; rejected passwords can be corrected; a used or unknown link says so', async () => {
    const account = await app.services.accounts.create({ email: 'new.agent@example.com', status: 'pending' });
    const token = await app.services.onboarding.activationLink(account);
    const browser = en();
    const form = await browser.get(`/activate/${token}`);
    expect(form.status).toBe(200);
    for (const label of ['>New password</label>', '>Confirm new password</label>', '>Save password</button>']) expect(form.text).toContain(label);

    const mismatch = await browser.post(`/activate/${token}`, { password: 'Neues-Passw0rt!', confirmation: 'Anderes-Passw0rt!' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain('The two passwords are not the same.');
    const weak = await browser.post(`/activate/${token}`, { password: 'kurz', confirmation: 'kurz' });
    expect(weak.status).toBe(400);
    expect(weak.text).toMatch(/class="unmet">\s*at least 8 characters/);
    expect(weak.text).toMatch(/class="unmet">\s*an upper-case letter/);
    const common = await browser.post(`/activate/${token}`, { password: 'Password1!', confirmation: 'Password1!' });
    expect(common.status).toBe(400);
    expect(common.text).toMatch(/class="unmet">\s*to differ from commonly used passwords/);
    expect(common.text).toMatch(/class="met">\s*an upper-case letter/);

    // Before activation there is no password to sign in with.
    const before = new LoginFlow(app, rp, en());
    await before.startAuthorization();
    await before.submit('password', { email: account.email, password: 'Neues-Passw0rt!' }, 401);

    const results = await Promise.all(Array.from({ length: 5 }, () => browser.post(`/activate/${token}`, { password: 'Neues-Passw0rt!', confirmation: 'Neues-Passw0rt!' })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400 && r.text.includes('This link is no longer valid'))).toHaveLength(4);
    expect((await app.services.accounts.findById(account.id))!.status).toBe('active');

    const flow = new LoginFlow(app, rp, en());
    await flow.startAuthorization();
    await flow.submitPassword(account.email, 'Neues-Passw0rt!');
    expect((await flow.finishAtCallback()).claims()!.sub).toBe(account.id);

    expect((await browser.get(`/activate/${token}`)).status).toBe(400);
    expect((await browser.get(`/activate/${'x'.repeat(43)}`)).text).toContain('This link is no longer valid');
    expect((await browser.get('/activate/<script>')).status).toBe(400);
  });

  test('the link lives ACTIVATION_LINK_DAYS and only its hash is stored', async () => {
    const account = await app.services.accounts.create({ email: 'ttl@example.com', status: 'pending' });
    const token = await app.services.onboarding.activationLink(account);
    const keys = await app.runtime.redis.keys('*');
    expect(keys.join(' ')).not.toContain(token);
    const { Redis } = await import('ioredis');
    const raw = new Redis(app.config.redisUrl!);
    try {
      const linkKeys = await raw.keys(`${app.redisPrefix}pforte:link:*`);
      const ttls = await Promise.all(linkKeys.map((key) => raw.ttl(key)));
      expect(Math.max(...ttls)).toBeGreaterThan(6 * 86400);
      expect(Math.max(...ttls)).toBeLessThanOrEqual(7 * 86400);
    } finally {
      raw.disconnect();
    }
  });
});

describe('initial password (SPEC 4.6)', () => {
  test('must be changed at the first sign-in; then the new one works and the initial one not', async () => {
    const account = await app.services.accounts.create({ email: 'letter.post@example.com' });
    const initial = await app.services.onboarding.issueInitialPassword(account);
    const flow = new LoginFlow(app, rp, en());
    await flow.startAuthorization({ ui_locales: 'en' });
    const next = await flow.submitPassword(account.email, initial);
    expect(next.location).toMatch(/\/interaction\//);
    const page = await flow.showPage();
    expect(page).toContain('You signed in with an initial password');
    expect((await flow.submit('new-password', { password: 'x', confirmation: 'x' }, 400)).text).toContain('does not meet all rules');
    await flow.submit('new-password', { password: 'Eigenes-Passw0rt!', confirmation: 'Eigenes-Passw0rt!' });
    expect((await flow.finishAtCallback()).claims()!.sub).toBe(account.id);

    const old = new LoginFlow(app, rp, en());
    await old.startAuthorization();
    await old.submit('password', { email: account.email, password: initial }, 401);
    const fresh = new LoginFlow(app, rp, en());
    await fresh.startAuthorization();
    await fresh.submitPassword(account.email, 'Eigenes-Passw0rt!');
    expect(fresh.callbackUrl).toBeDefined();
  });

  test('the initial password itself is refused as the new one, with a field error; nothing changes', async () => {
    const account = await app.services.accounts.create({ email: 'same.again@example.com' });
    const initial = await app.services.onboarding.issueInitialPassword(account);
    const before = (await app.services.accounts.findById(account.id))!;
    const messages = { en: 'Your new password must differ from your initial password.', de: 'Ihr neues Passwort muss sich vom Initialpasswort unterscheiden.', nl: 'Je nieuwe wachtwoord moet anders zijn dan je initiële wachtwoord.' };
    for (const [locale, message] of Object.entries(messages)) {
      const flow = new LoginFlow(app, rp, new Browser(app.url, { 'Accept-Language': locale }));
      await flow.startAuthorization({ ui_locales: locale });
      await flow.submitPassword(account.email, initial);
      const refused = await flow.submit('new-password', { password: initial, confirmation: initial }, 400);
      expect(refused.text).toMatch(new RegExp(`class="field-error" id="password-error">${message}<`));
      expect(flow.callbackUrl).toBeUndefined();
    }
    const after = (await app.services.accounts.findById(account.id))!;
    expect(after).toMatchObject({ password_hash: before.password_hash, must_change_password: true, password_expires_at: before.password_expires_at, password_changed_at: before.password_changed_at });

    // The same journey goes on with a password of the person's own.
    const flow = new LoginFlow(app, rp, en());
    await flow.startAuthorization();
    await flow.submitPassword(account.email, initial);
    await flow.submit('new-password', { password: initial, confirmation: initial }, 400);
    await flow.submit('new-password', { password: 'Eigenes-Passw0rt!', confirmation: 'Eigenes-Passw0rt!' });
    expect((await flow.finishAtCallback()).claims()!.sub).toBe(account.id);
  });

  test('an expired initial password says so, only after it was typed correctly', async () => {
    const account = await app.services.accounts.create({ email: 'too.late@example.com' });
    const initial = await app.services.onboarding.issueInitialPassword(account);
    app.clock.advance((app.config.passwords.initialPasswordDays + 1) * 86400_000);
    try {
      const flow = new LoginFlow(app, rp, en());
      await flow.startAuthorization({ ui_locales: 'en' });
      expect((await flow.submit('password', { email: account.email, password: initial }, 401)).text).toContain('Your initial password has expired');
      expect((await flow.submit('password', { email: account.email, password: 'Wrong-Passw0rd!' }, 401)).text).not.toContain('expired');
    } finally {
      app.clock.advance(-(app.config.passwords.initialPasswordDays + 1) * 86400_000);
    }
  });
});
