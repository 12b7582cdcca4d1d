import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const PASSWORD = 'Sichere-Passw0rt!';
const MESSAGE = 'The email address or password is incorrect.';
let app: TestApp;
let rp: RelyingParty;

beforeAll(async () => {
  app = await startTestApp({ LOCKOUT_THRESHOLD: '3', LOCKOUT_BASE_SECONDS: '60', LOCKOUT_MAX_SECONDS: '900' });
  rp = await registerRelyingParty(app);
});
afterAll(() => app?.close());

test('after the threshold the account is locked, a lock looks like a wrong password, and it ends by itself', async () => {
  const account = await app.services.accounts.create({ email: 'locked.out@example.com', password: PASSWORD });
  const flow = new LoginFlow(app, rp, new Browser(app.url, { 'Accept-Language': 'en' }));
  await flow.startAuthorization({ ui_locales: 'en' });
  for (let i = 0; i < 3; i += 1) {
    expect((await flow.submit('password', { email: account.email, password: 'Wrong-Passw0rd!' }, 401)).text).toContain(MESSAGE);
  }
  const locked = await flow.submit('password', { email: account.email, password: PASSWORD }, 401);
  expect(locked.text).toContain(MESSAGE);
  expect((await app.services.auditRepo.list({ accountId: account.id, type: 'account.locked' })).length).toBeGreaterThan(0);

  // The fourth failure doubled the lock to 120 s; after that the right password works.
  app.clock.advance(121_000);
  try {
    await flow.submitPassword(account.email, PASSWORD);
    expect((await flow.finishAtCallback()).claims()!.sub).toBe(account.id);
    expect(await app.services.lockout.failures(account.id, 'pwd')).toBe(0);
  } finally {
    app.clock.advance(-121_000);
  }
});

test('password and TAN failures are counted apart; a password alone ends only password failures', async () => {
  const account = await app.services.accounts.create({ email: 'two.runs@example.com', password: PASSWORD });
  await app.services.lockout.recordFailure(account.id, 'otp');
  await app.services.lockout.recordFailure(account.id, 'pwd');
  const flow = new LoginFlow(app, rp, new Browser(app.url));
  await flow.startAuthorization();
  await flow.submitPassword(account.email, PASSWORD);
  await flow.finishAtCallback();
  expect(await app.services.lockout.failures(account.id, 'pwd')).toBe(0);
  expect(await app.services.lockout.failures(account.id, 'otp')).toBe(1);
});
