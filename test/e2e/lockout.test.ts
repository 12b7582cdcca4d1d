import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const PASSWORD = 'Sichere-Passw0rt!';
const WRONG = 'Wrong-Passw0rd!';
const MESSAGE = 'The email address or password is incorrect.';
// Each IP adds at most 3 failures to the account: 4 IPs lock the account, 5 reach the hard stop.
const POLICY = { LOCKOUT_THRESHOLD: '3', LOCKOUT_BASE_SECONDS: '60', LOCKOUT_MAX_SECONDS: '900', LOCKOUT_ACCOUNT_THRESHOLD: '12', LOCKOUT_HARD_LIMIT: '15' };
let app: TestApp;
let rp: RelyingParty;
let mail: SmtpCapture;
let ipCounter = 0;

beforeAll(async () => {
  mail = await startSmtpCapture();
  // Behind a trusted proxy, so each "browser" can come from its own address.
  app = await startTestApp({ ...POLICY, SMTP_URL: mail.url, TRUST_PROXY: 'true', RATE_LIMIT_PASSWORD_PER_IP_PER_MINUTE: '10000', RATE_LIMIT_TAN_PER_IP_PER_MINUTE: '10000' });
  rp = await registerRelyingParty(app);
});
afterAll(async () => {
  await app?.close();
  await mail?.close();
});

/** A browser at its own client address (the proxy appends it to X-Forwarded-For). */
function browserAt(ip = `203.0.113.${++ipCounter}`): Browser {
  return new Browser(app.url, { 'Accept-Language': 'en', 'X-Forwarded-For': `10.9.9.9, ${ip}` });
}

async function loginPage(browser: Browser): Promise<LoginFlow> {
  const flow = new LoginFlow(app, rp, browser);
  await flow.startAuthorization({ ui_locales: 'en' });
  return flow;
}

/** `count` wrong passwords from one browser; every answer is the plain "wrong password" page. */
async function failPasswords(browser: Browser, email: string, count: number): Promise<void> {
  const flow = await loginPage(browser);
  for (let i = 0; i < count; i += 1) {
    expect((await flow.submit('password', { email, password: WRONG }, 401)).text).toContain(MESSAGE);
  }
}

async function signsIn(browser: Browser, email: string, accountId: string): Promise<void> {
  const flow = await loginPage(browser);
  await flow.submitPassword(email, PASSWORD);
  expect((await flow.finishAtCallback()).claims()!.sub).toBe(accountId);
}

test('after the threshold the IP is locked, a lock looks like a wrong password, and it ends by itself', async () => {
  const account = await app.services.accounts.create({ email: 'locked.out@example.com', password: PASSWORD });
  const browser = browserAt();
  await failPasswords(browser, account.email, 3);
  const flow = await loginPage(browser);
  const locked = await flow.submit('password', { email: account.email, password: PASSWORD }, 401);
  expect(locked.text).toContain(MESSAGE);
  expect((await app.services.auditRepo.list({ accountId: account.id, type: 'account.locked' })).length).toBeGreaterThan(0);

  // The fourth failure doubled the lock to 120 s; after that the right password works.
  app.clock.advance(121_000);
  try {
    await signsIn(browser, account.email, account.id);
    expect(await app.services.lockout.failures(account.id, 'pwd')).toBe(0);
  } finally {
    app.clock.advance(-121_000);
  }
});

test("an attacker's IP locks only itself: the owner signs in from elsewhere, however long the attack goes on", async () => {
  const account = await app.services.accounts.create({ email: 'targeted@example.com', password: PASSWORD });
  const attacker = browserAt();
  // Far beyond the account's budgets (12 and the hard stop at 15), all from one address.
  await failPasswords(attacker, account.email, 20);
  // The attacker's address stays locked, even for the right password.
  const attempt = await loginPage(attacker);
  expect((await attempt.submit('password', { email: account.email, password: PASSWORD }, 401)).text).toContain(MESSAGE);
  // One address added only its first three failures to the account.
  expect(await app.services.lockout.failures(account.id, 'pwd')).toBe(3);
  await signsIn(browserAt(), account.email, account.id);
});

test('failures from many IPs lock the whole account, and the hard stop holds until it is lifted', async () => {
  const account = await app.services.accounts.create({ email: 'distributed@example.com', password: PASSWORD });
  for (let i = 0; i < 4; i += 1) await failPasswords(browserAt(), account.email, 3);
  // 12 failures across four addresses: the account is locked for everyone, with the same page.
  const owner = await loginPage(browserAt());
  expect((await owner.submit('password', { email: account.email, password: PASSWORD }, 401)).text).toContain(MESSAGE);

  await failPasswords(browserAt(), account.email, 3);
  expect(await app.services.lockout.failures(account.id, 'pwd')).toBeGreaterThanOrEqual(15);
  // Locks that would have ended long ago: the hard stop still holds.
  app.clock.advance(3_600_000);
  try {
    const later = await loginPage(browserAt());
    expect((await later.submit('password', { email: account.email, password: PASSWORD }, 401)).text).toContain(MESSAGE);
    await app.services.lockout.lift(account.id, 'test');
    await signsIn(browserAt(), account.email, account.id);
  } finally {
    app.clock.advance(-3_600_000);
  }
  expect((await app.services.auditRepo.list({ accountId: account.id, type: 'account.unlocked' })).length).toBe(1);
  // One notice when the locks started, one when the hard stop came.
  await app.services.lockNotices.settled();
  const notices = mail.messages.filter((m) => m.to === account.email).map((m) => m.text);
  expect(notices).toHaveLength(2);
  expect(notices[1]).toContain('bleibt Ihr Konto gesperrt, bis es entsperrt wird');
});

const NOTICE_SUBJECT = 'Die Anmeldung an Ihrem Konto wurde gesperrt';
const noticesTo = (email: string) => mail.messages.filter((m) => m.to === email && m.subject === NOTICE_SUBJECT).length;

test('the owner is mailed once when locks start, in text and HTML, saying how long and what to do', async () => {
  const account = await app.services.accounts.create({ email: 'noticed@example.com', password: PASSWORD, name: 'Nora' });
  const attacker = browserAt();
  await failPasswords(attacker, account.email, 2);
  expect(mail.countTo(account.email)).toBe(0);
  await failPasswords(attacker, account.email, 1);
  const notice = await mail.lastTo(account.email);
  // The deployment's default language (German): accounts keep no language of their own.
  expect(notice.subject).toBe(NOTICE_SUBJECT);
  expect(notice.text).toContain('Guten Tag Nora');
  expect(notice.text).toContain('für 1 Minute gesperrt');
  expect(notice.text).toContain('Das waren nicht Sie?');
  expect(notice.html).toContain('für 1 Minute gesperrt');
  expect(notice.text).not.toContain(WRONG);

  // Further failures, and a second address locking itself, mail nothing more.
  await failPasswords(attacker, account.email, 3);
  await failPasswords(browserAt(), account.email, 3);
  await signsIn(browserAt(), account.email, account.id);
  await app.services.lockNotices.settled();
  expect(noticesTo(account.email)).toBe(1);

  // After the owner has signed in, the next lock is news again.
  await failPasswords(browserAt(), account.email, 3);
  await mail.waitUntil(() => noticesTo(account.email) === 2);
});

test('an unknown address is locked the same way (no bcrypt while locked either) and mails nobody', async () => {
  const email = 'nobody.here@example.com';
  const ip = `203.0.113.${++ipCounter}`;
  await failPasswords(browserAt(ip), email, 4);
  const lockout = app.services.lockout;
  expect(await lockout.isLocked(lockout.subjectFor(undefined, email), ip)).toBe(true);
  expect(await lockout.isLocked(lockout.subjectFor(undefined, email), '198.51.100.77')).toBe(false);
  await app.services.lockNotices.settled();
  expect(mail.countTo(email)).toBe(0);
});

test('wrong TANs count per IP as well; during the lock the right TAN is refused, from elsewhere the owner gets in', async () => {
  const account = await app.services.accounts.create({ email: 'tan.target@example.com', password: PASSWORD, agentNumber: '60/111/2222' });
  const attacker = browserAt();
  const flow = await loginPage(attacker);
  await flow.submit('agent', { agent_number: '60/111/2222', email: account.email });
  const tan = await mail.lastTanFor(account.email);
  const wrongTan = tan === '000000' ? '111111' : '000000';
  for (let i = 0; i < 3; i += 1) await flow.submit('tan', { tan: wrongTan }, 400);
  expect(await app.services.lockout.failures(account.id, 'otp')).toBe(3);
  // Locked from this address: the right TAN looks like a wrong one.
  expect((await flow.submit('tan', { tan }, 400)).text).toContain('The TAN is not correct');
  expect(await app.services.lockout.failures(account.id, 'otp')).toBe(3);

  const owner = await loginPage(browserAt());
  await owner.submit('agent', { agent_number: '60/111/2222', email: account.email });
  await owner.submit('tan', { tan: await mail.lastTanFor(account.email) });
  expect((await owner.finishAtCallback()).claims()!.sub).toBe(account.id);
  expect(await app.services.lockout.failures(account.id, 'otp')).toBe(0);
});

test('password and TAN failures are counted apart; a password alone ends only password failures', async () => {
  const account = await app.services.accounts.create({ email: 'two.runs@example.com', password: PASSWORD });
  await app.services.lockout.recordFailure(account.id, 'otp');
  await app.services.lockout.recordFailure(account.id, 'pwd');
  await signsIn(new Browser(app.url), account.email, account.id);
  expect(await app.services.lockout.failures(account.id, 'pwd')).toBe(0);
  expect(await app.services.lockout.failures(account.id, 'otp')).toBe(1);
});
