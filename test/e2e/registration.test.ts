import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { Browser } from '../helpers/browser.js';
import { TEST_REDIS_URL } from '../helpers/database.js';
import { LogCapture } from '../helpers/log-capture.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { csrfOf, linkIn, register } from '../helpers/self-service.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let rp: RelyingParty;
let mail: SmtpCapture;
const logs = new LogCapture();
const PASSWORD = 'Sonnen-Blume7!';

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({ SMTP_URL: mail.url, TERMS_URL: 'https://insurer.example/terms', RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE: '1000', LOG_LEVEL: 'info' }, { logDestination: logs });
  rp = await registerRelyingParty(app);
  await app.services.customers.importCsv([
    'policy_number;birth_date;name',
    'UV-1001;1980-12-31;Erika Muster',
    'UV-1002;01.02.1975;Max Muster',
    'UV-1003;1990-06-15;Paula Race',
    'UV-1004;1970-01-01;Otto Taken',
    'UV-1005;1985-05-05;Browser Two',
    'UV-1006;1966-06-06;Late Comer',
  ].join('\n'));
});
afterAll(async () => {
  rawRedis.disconnect();
  await app?.close();
  await mail?.close();
});
beforeEach(() => mail.clear());

const en = () => new Browser(app.url, { 'Accept-Language': 'en' });
const form = (policy: string, birthDate: string, email: string, extra: Record<string, string> = {}) => ({
  policy_number: policy, birth_date: birthDate, email, email_confirmation: email, terms: 'on', ...extra,
});
// ioredis does not prefix KEYS patterns: a client without prefix counts this app's links.
const rawRedis = new Redis(TEST_REDIS_URL);
const linkKeyCount = async () => (await rawRedis.keys(`${app.redisPrefix}pforte:link:*`)).length;
const accountCount = async () => Number((await app.runtime.db('accounts').count({ n: '*' }))[0]!.n);

describe('registration page (SPEC 4.5)', () => {
  test('shows exactly the SPEC labels, a date input, the terms link and a CSRF token', async () => {
    const page = await en().get('/register');
    expect(page.status).toBe(200);
    for (const label of ['>Policy number</label>', '>Date of birth</label>', '>Email</label>', '>Confirm email</label>', '>I accept the terms of use</label>', '>Register</button>']) {
      expect(page.text).toContain(label);
    }
    expect(page.text).toMatch(/id="birth_date" name="birth_date" type="date"/);
    expect(page.text).toContain('href="https://insurer.example/terms"');
    expect(csrfOf(page.text)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('email mismatch and missing tick are field errors on the same page; nothing is mailed', async () => {
    const browser = en();
    const mismatch = await register(browser, form('UV-1001', '1980-12-31', 'erika@example.com', { email_confirmation: 'erika@example.org' }));
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain('The two email addresses are not the same.');
    expect(mismatch.text).toContain('value="UV-1001"');
    const { terms: _omitted, ...noTick } = form('UV-1001', '1980-12-31', 'erika@example.com');
    const unticked = await register(browser, noTick);
    expect(unticked.status).toBe(400);
    expect(unticked.text).toContain('Please accept the terms of use.');
    expect(mail.messages).toHaveLength(0);
  });

  test('impossible or ancient birth dates, overlong emails and control characters are refused, nothing changes', async () => {
    const browser = en();
    for (const birthDate of ['31.02.1990', '1890-01-01', '01.01.1890', '2999-01-01', 'yesterday']) {
      const res = await register(browser, form('UV-1001', birthDate, 'erika@example.com'));
      expect(res.status).toBe(400);
      expect(res.text).toContain('Please enter a real date of birth');
    }
    const long = `${'a'.repeat(490)}@example.com`;
    const tooLong = await register(browser, form('UV-1001', '1980-12-31', long));
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toContain('This entry is too long.');
    const page = await browser.get('/register');
    const control = await browser.post('/register', `csrf=${csrfOf(page.text)}&policy_number=UV-1001&birth_date=1980-12-31&email=a%07b%40example.com&email_confirmation=a%07b%40example.com&terms=on`);
    expect(control.status).toBe(400);
    expect(mail.messages).toHaveLength(0);
    expect(await accountCount()).toBe(0);
  });

  test('a form without its CSRF token, with another browser\'s token, or with repeated fields changes nothing', async () => {
    const browser = en();
    const page = await browser.get('/register');
    const fields = form('UV-1001', '1980-12-31', 'erika@example.com');
    const noToken = await browser.post('/register', fields);
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('This form has expired');
    const foreign = await en().post('/register', { csrf: csrfOf(page.text), ...fields });
    expect(foreign.status).toBe(403);
    const repeated = await browser.post('/register', `csrf=${csrfOf(page.text)}&policy_number=UV-1001&policy_number=UV-1002&birth_date=1980-12-31&email=e%40example.com&email_confirmation=e%40example.com&terms=on`);
    expect(repeated.status).toBe(400);
    expect(mail.messages).toHaveLength(0);
  });

  test('match, taken email, unknown policy and wrong birth date all get one identical screen', async () => {
    await app.services.accounts.create({ email: 'otto.taken@example.com', password: 'Vorhanden-123!' });
    const cases = [
      form('UV-1002', '01.02.1975', 'max@example.com'), // match, German date format
      form('UV-1004', '1970-01-01', 'otto.taken@example.com'), // address already has an account
      form('NOPE-1', '1970-01-01', 'nobody@example.com'), // no policyholder
      form('UV-1004', '1971-01-01', 'wrongdate@example.com'), // wrong birth date
    ];
    const answers = [];
    for (const fields of cases) {
      const linksBefore = await linkKeyCount();
      const res = await register(en(), fields);
      expect(res.status).toBe(200);
      answers.push(res.text);
      // The same work for every outcome: one link issued (only a match's leads anywhere), one mail.
      expect(await linkKeyCount()).toBe(linksBefore + 1);
    }
    expect(answers[0]).toContain('Please check your inbox');
    expect(new Set(answers).size).toBe(1);
    await mail.waitUntil(() => mail.messages.length === 4);
    const confirm = await mail.lastTo('max@example.com');
    expect(confirm.subject).toBe('Confirm your registration');
    expect(confirm.text).toContain('valid for 48 hours');
    expect(confirm.html).toContain('/register/confirm/');
    expect(confirm.text).toContain('You did not ask for this?');
    const taken = await mail.lastTo('otto.taken@example.com');
    expect(taken.subject).toBe('Registration with your email address');
    expect(taken.text).toContain('An account with this address exists already');
    expect(taken.text).not.toContain('/register/confirm/');
    for (const address of ['nobody@example.com', 'wrongdate@example.com']) {
      const neutral = await mail.lastTo(address);
      expect(neutral.subject).toBe('Your registration');
      expect(neutral.text).not.toMatch(/\/register\/confirm\//);
    }
    expect(await accountCount()).toBe(1);
  });

  test('the mail is in the language of the page; posting twice mails once', async () => {
    const browser = new Browser(app.url, { 'Accept-Language': 'nl' });
    const page = await browser.get('/register');
    const fields = { csrf: csrfOf(page.text), ...form('UV-1006', '1966-06-06', 'late@example.com') };
    expect((await browser.post('/register', fields)).status).toBe(200);
    const again = await browser.post('/register', fields);
    expect(again.status).toBe(200);
    expect(again.text).toContain('Controleer je inbox');
    const confirm = await mail.lastTo('late@example.com');
    expect(confirm.subject).toBe('Bevestig je registratie');
    expect(mail.countTo('late@example.com')).toBe(1);
  });
});

describe('confirmation link', () => {
  test('leads to set password, creates one verified account linked to its policy; opened again it says "already confirmed"', async () => {
    const browser = en();
    await register(browser, form('UV-1001', '31.12.1980', 'erika@example.com'));
    const link = linkIn(await mail.lastTo('erika@example.com'), '/register/confirm');
    const other = en(); // the link opened in another browser: no sign-in to continue
    const page = await other.get(link);
    expect(page.status).toBe(200);
    for (const label of ['>New password</label>', '>Confirm new password</label>', '>Save password</button>']) expect(page.text).toContain(label);
    const weak = await other.post(link, { password: 'Password1!', confirmation: 'Password1!' });
    expect(weak.status).toBe(400);
    const done = await other.post(link, { password: PASSWORD, confirmation: PASSWORD });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Your account is ready');

    // The link is a secret: the request log names its path without the token.
    expect(logs.text()).toContain('/register/confirm/[redacted]');
    expect(logs.text()).not.toContain(link.split('/').pop()!);
    const account = (await app.services.accounts.findByEmail('erika@example.com'))!;
    expect(account).toMatchObject({ status: 'active', email_verified: true, name: 'Erika Muster' });
    expect((await app.runtime.db('policyholders').where({ policy_number: 'UV-1001' }).first()).account_id).toBe(account.id);

    for (const res of [await other.get(link), await other.post(link, { password: PASSWORD, confirmation: PASSWORD })]) {
      expect(res.status).toBe(200);
      expect(res.text).toContain('already confirmed');
    }
    // One account per policy number: a second registration for it gets the same screen and no link.
    mail.clear();
    const second = await register(en(), form('UV-1001', '1980-12-31', 'someone.else@example.com'));
    expect(second.text).toContain('Please check your inbox');
    expect((await mail.lastTo('someone.else@example.com')).subject).toBe('Your registration');

    const flow = new LoginFlow(app, rp, en());
    await flow.startAuthorization();
    await flow.submitPassword('erika@example.com', PASSWORD);
    const tokens = await flow.finishAtCallback();
    expect(tokens.claims()).toMatchObject({ sub: account.id });
  });

  test('two racing confirmations (two browsers at once) create exactly one account', async () => {
    await register(en(), form('UV-1003', '1990-06-15', 'paula@example.com'));
    const link = linkIn(await mail.lastTo('paula@example.com'), '/register/confirm');
    const before = await accountCount();
    const results = await Promise.all(Array.from({ length: 6 }, () => en().post(link, { password: PASSWORD, confirmation: PASSWORD })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.text.includes('Your account is ready'))).toHaveLength(1);
    expect(results.filter((r) => r.text.includes('already confirmed'))).toHaveLength(5);
    expect(await accountCount()).toBe(before + 1);
  });

  test('expired, tampered and truncated links show a clear page and change nothing', async () => {
    await register(en(), form('UV-1005', '1985-05-05', 'two@example.com'));
    const link = linkIn(await mail.lastTo('two@example.com'), '/register/confirm');
    const token = link.split('/').pop()!;
    const tampered = `/register/confirm/${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [tampered, `/register/confirm/${token.slice(0, 20)}`, '/register/confirm/%3Cscript%3E']) {
      const res = await en().get(bad);
      expect(res.status).toBe(400);
      expect(res.text).toContain('This link is not valid or has expired');
      expect((await en().post(bad, { password: PASSWORD, confirmation: PASSWORD })).status).toBe(400);
    }
    app.clock.advance(48 * 3600 * 1000 + 1000);
    try {
      const expired = await en().post(link, { password: PASSWORD, confirmation: PASSWORD });
      expect(expired.status).toBe(400);
      expect(expired.text).toContain('This link is not valid or has expired');
    } finally {
      app.clock.advance(-(48 * 3600 * 1000 + 1000));
    }
    expect(await app.services.accounts.findByEmail('two@example.com')).toBeUndefined();
  });
});

describe('back to the relying party', () => {
  test('registering from a sign-in continues it: signed in at the relying party after setting the password', async () => {
    await app.services.customers.importCsv('policy_number,birth_date,name\nUV-2001,1982-02-02,Rita Return\n');
    const browser = en();
    const flow = new LoginFlow(app, rp, browser);
    await flow.startAuthorization({ ui_locales: 'en' });
    const login = await flow.showPage();
    const registerHref = /href="(\/register\?interaction=[^"]+)"/.exec(login)![1]!.replace(/&amp;/g, '&');
    await register(browser, form('UV-2001', '1982-02-02', 'rita@example.com'), registerHref.slice('/register'.length));
    const link = linkIn(await mail.lastTo('rita@example.com'), '/register/confirm');
    const done = await browser.post(link, { password: PASSWORD, confirmation: PASSWORD });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/interaction/${flow.uid}/continue`);
    const continued = await browser.get(done.headers.location!);
    expect(continued.status).toBe(303);
    await flow.resume(continued.headers.location!);
    const tokens = await flow.finishAtCallback();
    const account = (await app.services.accounts.findByEmail('rita@example.com'))!;
    expect(tokens.claims()).toMatchObject({ sub: account.id, acr: 'urn:pforte:loa:1' });
    // Handed back once: the continue step does not sign in a second time.
    const again = await browser.get(`/interaction/${flow.uid}/continue`);
    expect(again.status).not.toBe(200);
  });
});

describe('per-IP limit', () => {
  test('registration posts beyond the limit get the 429 page before any lookup', async () => {
    const limited = await startTestApp({ RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE: '2' });
    try {
      const browser = new Browser(limited.url, { 'Accept-Language': 'en' });
      const page = await browser.get('/register');
      const fields = { csrf: csrfOf(page.text), ...form('X-1', '1980-01-01', 'x@example.com') };
      expect((await browser.post('/register', fields)).status).toBe(200);
      expect((await browser.post('/register', fields)).status).toBe(200);
      const refused = await browser.post('/register', fields);
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBeDefined();
    } finally {
      await limited.close();
    }
  });
});
