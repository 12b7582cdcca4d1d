import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import Keygrip from 'keygrip';
import { Browser } from '../helpers/browser.js';
import { httpsBrowserBehindProxy } from '../helpers/https-browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * The step-up of /manage (SPEC 5 with SPEC 3): below loa:2 a /manage page sends the browser
 * through pforte's own client to the provider, which asks only for the TAN (nothing on a
 * trusted device), and the callback returns to the page first asked for.
 */

const PASSWORD = 'Sichere-Passw0rt!';
const COOKIE = 'pforte.manage-step-up';
let app: TestApp;
let rp: RelyingParty;
let mail: SmtpCapture;
let counter = 0;

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({ SMTP_URL: mail.url, TAN_RESEND_COOLDOWN_SECONDS: '0', TAN_MAX_SENDS_PER_HOUR: '1000', RATE_LIMIT_PASSWORD_PER_IP_PER_MINUTE: '10000', LOCKOUT_THRESHOLD: '50', TAN_MAX_ATTEMPTS: '3' });
  rp = await registerRelyingParty(app);
  for (const name of ['user-manager', 'file-manager']) await app.services.roles.create({ name });
});
afterAll(async () => {
  await app?.close();
  await mail?.close();
});
beforeEach(() => mail.clear());

const newBrowser = () => new Browser(app.url, { 'Accept-Language': 'en' });

async function newManager(roles = ['user-manager']) {
  counter += 1;
  const org = await app.services.organisations.create({ name: `Step-up Org ${counter}`, grantableRoles: ['user-manager', 'file-manager'] });
  return app.services.accounts.create({ email: `stepup${counter}@example.com`, password: PASSWORD, name: `Manager ${counter}`, organisation: org.id, roles });
}

/** A browser with a password-only (loa:1) session, signed in through a relying party. */
async function loa1Session(email: string, browser = newBrowser()) {
  const flow = new LoginFlow(app, rp, browser);
  await flow.startAuthorization({ ui_locales: 'en', prompt: 'login' });
  await flow.submitPassword(email, PASSWORD);
  expect((await flow.finishAtCallback()).claims()!.acr).toBe('urn:pforte:loa:1');
  return browser;
}

/** Follows pforte's redirects from `path` until a page answers; returns it and the paths passed. */
async function walk(browser: Browser, path: string) {
  const passed: string[] = [];
  let res = await browser.get(path);
  passed.push(path);
  while (res.status >= 300 && res.status < 400) {
    const next = new URL(res.headers.location!, app.url);
    passed.push(next.pathname + next.search);
    res = await browser.get(next.pathname + next.search);
  }
  return { res, passed, last: passed.at(-1)! };
}

const setCookies = (res: { headers: Record<string, unknown> }) => ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []).join(';');

/** The state of the step-up this browser started last (a fresh one, from GET /manage). */
async function pendingState(browser: Browser): Promise<string> {
  const res = await browser.get('/manage');
  expect(res.status).toBe(303);
  return new URL(res.headers.location!).searchParams.get('state')!;
}

const interactionOf = (passed: string[]) => passed.map((path) => /^\/interaction\/([^/?]+)$/.exec(path)?.[1]).find(Boolean)!;

/** Posts a form of the interaction and follows the provider's redirects to the next page. */
async function submit(browser: Browser, uid: string, step: string, form: Record<string, string>) {
  const res = await browser.post(`/interaction/${uid}/${step}`, form);
  if (res.status !== 303) return { res, passed: [] as string[], last: `/interaction/${uid}/${step}` };
  return walk(browser, new URL(res.headers.location!, app.url).pathname + new URL(res.headers.location!, app.url).search);
}

/** Steps up at `path` with the TAN from the mail; returns the page reached and the paths passed. */
async function stepUpWithTan(browser: Browser, email: string, path: string) {
  const start = await walk(browser, path);
  expect(start.res.status).toBe(200);
  expect(start.res.text).toContain('TAN');
  const uid = interactionOf(start.passed);
  const done = await submit(browser, uid, 'tan', { tan: await mail.lastTanFor(email) });
  return { ...done, start };
}

describe('a loa:1 session at /manage', () => {
  test('is sent to the provider with an essential loa:2 claim, PKCE and state, through pforte\'s own client', async () => {
    const manager = await newManager();
    const browser = await loa1Session(manager.email);
    const res = await browser.get('/manage');
    expect(res.status).toBe(303);
    const target = new URL(res.headers.location!);
    expect(target.origin + target.pathname).toBe(app.provider.urlFor('authorization'));
    const params = target.searchParams;
    expect(params.get('client_id')).toBe('pforte-manage');
    expect(params.get('redirect_uri')).toBe(`${app.url}/manage/callback`);
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(JSON.parse(params.get('claims')!)).toEqual({ id_token: { acr: { essential: true, value: 'urn:pforte:loa:2' } } });
    expect(setCookies(res)).toMatch(new RegExp(`${COOKIE}=[^;]+; path=/manage;[^;]*;[^;]*; httponly`));
    // pforte's own client is not in the client table an administrator can change.
    expect((await app.services.clients.list()).map((client) => client.client_id)).not.toContain('pforte-manage');
  });

  test('asks only for the TAN (no password) and comes back to the page asked for', async () => {
    const manager = await newManager();
    const browser = await loa1Session(manager.email);
    mail.clear();
    const { res, last, start } = await stepUpWithTan(browser, manager.email, '/manage/members/new?from=test');
    expect(start.res.text).not.toContain('name="password"');
    expect(last).toBe('/manage/members/new?from=test');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Add member');
    // The session now holds loa:2: forms work.
    const csrf = /name="csrf" value="([^"]+)"/.exec(res.text)![1]!;
    const created = await browser.post('/manage/members', { csrf, name: 'After Step-up', email: `after${counter}@example.com` });
    expect(created.status).toBe(303);
  });

  test('on a trusted device nothing is asked and no TAN is mailed', async () => {
    const manager = await newManager();
    const browser = newBrowser();
    const trusting = new LoginFlow(app, rp, browser);
    await trusting.startAuthorization({ acr_values: 'urn:pforte:loa:2', ui_locales: 'en' });
    await trusting.submitPassword(manager.email, PASSWORD);
    await trusting.submit('tan', { tan: await mail.lastTanFor(manager.email), trust: 'on' });
    await trusting.finishAtCallback();
    await loa1Session(manager.email, browser);
    mail.clear();
    const { res, passed, last } = await walk(browser, '/manage');
    expect(passed.some((path) => path.startsWith('/manage/callback'))).toBe(true);
    expect(last).toBe('/manage');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Add member');
    expect(mail.countTo(manager.email)).toBe(0);
  });

  test('a wrong TAN gives no access; used up, the step-up ends refused and the session stays at loa:1', async () => {
    const manager = await newManager();
    const browser = await loa1Session(manager.email);
    const start = await walk(browser, '/manage');
    const uid = interactionOf(start.passed);
    const wrong = await browser.post(`/interaction/${uid}/tan`, { tan: '000000' === (await mail.lastTanFor(manager.email)) ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect((await browser.get('/manage')).status).toBe(303);
    let last = wrong;
    for (let i = 0; i < 5 && last.status === 400; i += 1) last = await browser.post(`/interaction/${uid}/tan`, { tan: 'abcdef' });
    expect(last.status).toBe(303);
    const end = await walk(browser, new URL(last.headers.location!, app.url).pathname);
    expect(end.last).toMatch(/^\/manage\/callback\?error=unmet_authentication_requirements/);
    expect(end.res.status).toBe(403);
    expect(end.res.text).toContain('The sign-in with TAN was not completed');
    expect((await browser.get('/manage')).status).toBe(303);
    expect((await browser.post('/manage/members', { csrf: 'x', name: 'X', email: 'never@example.com' })).status).toBe(403);
    await expect(app.services.accounts.show('never@example.com')).rejects.toMatchObject({ code: 'user_not_found' });
  });

  test('a cancelled TAN gives no access', async () => {
    const manager = await newManager();
    const browser = await loa1Session(manager.email);
    const start = await walk(browser, '/manage');
    const end = await submit(browser, interactionOf(start.passed), 'abort', {});
    expect(end.last).toMatch(/^\/manage\/callback\?error=access_denied/);
    expect(end.res.status).toBe(403);
    expect((await browser.get('/manage')).status).toBe(303);
  });

  test('an account without user-manager is refused at once, without a TAN', async () => {
    const plain = await newManager([]);
    const browser = await loa1Session(plain.email);
    mail.clear();
    expect((await browser.get('/manage')).status).toBe(403);
    expect(mail.countTo(plain.email)).toBe(0);
  });
});

describe('without a session', () => {
  test('the same redirect leads to a sign-in with password and TAN, then to /manage', async () => {
    const manager = await newManager();
    const browser = newBrowser();
    const start = await walk(browser, '/manage?q=Manager');
    expect(start.res.status).toBe(200);
    expect(start.res.text).toContain('name="password"');
    const uid = interactionOf(start.passed);
    const afterPassword = await browser.post(`/interaction/${uid}/password`, { email: manager.email, password: PASSWORD });
    expect(afterPassword.status).toBe(303);
    const tanPage = await walk(browser, new URL(afterPassword.headers.location!, app.url).pathname);
    expect(tanPage.res.text).toContain('name="tan"');
    const done = await submit(browser, uid, 'tan', { tan: await mail.lastTanFor(manager.email) });
    expect(done.last).toBe('/manage?q=Manager');
    expect(done.res.status).toBe(200);
    expect(done.res.text).toContain(manager.email);
  });

  test('a form is refused (403) and changes nothing', async () => {
    const res = await newBrowser().post('/manage/members', { csrf: 'x', name: 'X', email: 'nosession@example.com' });
    expect(res.status).toBe(403);
    await expect(app.services.accounts.show('nosession@example.com')).rejects.toMatchObject({ code: 'user_not_found' });
  });
});

describe('the callback', () => {
  /**
   * A loa:1 manager halfway: the TAN entered, the provider's redirect to the callback not
   * yet followed; with the step-up cookie /manage set.
   */
  async function atCallback() {
    const manager = await newManager();
    const browser = await loa1Session(manager.email);
    const first = await browser.get('/manage/members/new');
    const pendingCookie = new RegExp(`${COOKIE}=([^;]+)`).exec(setCookies(first))![1]!;
    const start = await walk(browser, new URL(first.headers.location!).pathname + new URL(first.headers.location!).search);
    const uid = interactionOf(start.passed);
    const res = await browser.post(`/interaction/${uid}/tan`, { tan: await mail.lastTanFor(manager.email) });
    const resumed = await browser.get(new URL(res.headers.location!, app.url).pathname);
    expect(resumed.status).toBe(303);
    const callback = new URL(resumed.headers.location!);
    expect(callback.pathname).toBe('/manage/callback');
    return { browser, callback: callback.pathname + callback.search, pendingCookie };
  }

  test('with a tampered state is refused', async () => {
    const { browser, callback } = await atCallback();
    const url = new URL(callback, app.url);
    url.searchParams.set('state', `${url.searchParams.get('state')}x`);
    const res = await browser.get(url.pathname + url.search);
    expect(res.status).toBe(403);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('The sign-in with TAN was not completed');
  });

  test('opened in another browser (a foreign state and code) is refused and raises nothing there', async () => {
    const { callback } = await atCallback();
    const other = await newManager();
    const otherBrowser = await loa1Session(other.email);
    expect((await otherBrowser.get('/manage')).status).toBe(303); // its own pending step-up
    const res = await otherBrowser.get(callback);
    expect(res.status).toBe(403);
    // The other browser's own state with the first browser's code (a code injected into it):
    // neither its PKCE verifier nor its session match the code.
    const injected = new URL(callback, app.url);
    injected.searchParams.set('state', await pendingState(otherBrowser));
    const refused = await otherBrowser.get(injected.pathname + injected.search);
    expect(refused.status).toBe(403);
    expect((await otherBrowser.get('/manage')).status).toBe(303);
  });

  test('without its cookie, or with a code already used, is refused', async () => {
    const { browser, callback } = await atCallback();
    expect((await newBrowser().get(callback)).status).toBe(403);
    const done = await browser.get(callback);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/manage/members/new');
    expect((await browser.get(callback)).status).toBe(403);
  });

  test.each(['https://evil.example/', '//evil.example/x', '/\\evil.example', '/manage/../evil', '/manage/callback', '/managex'])(
    'never follows the return target %s, even from a correctly signed cookie',
    async (returnTo) => {
      const { browser, callback, pendingCookie } = await atCallback();
      const pending = JSON.parse(Buffer.from(pendingCookie, 'base64url').toString('utf8'));
      const value = Buffer.from(JSON.stringify({ ...pending, returnTo })).toString('base64url');
      const signature = new Keygrip([...app.config.cookieSecrets]).sign(`${COOKIE}=${value}`);
      const jar = (browser.agent as unknown as { jar: { setCookies(cookies: string[], domain: string, path: string): void } }).jar;
      jar.setCookies([`${COOKIE}=${value}; Path=/manage`, `${COOKIE}.sig=${signature}; Path=/manage`], 'localhost', '/manage');
      const res = await browser.get(callback);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/manage');
    },
  );
});

describe('on an https issuer behind a TLS-terminating proxy', () => {
  let tls: TestApp;
  beforeAll(async () => {
    tls = await startTestApp({ ISSUER: 'https://login.example.test', TRUST_PROXY: 'true' });
  });
  afterAll(() => tls?.close());

  test('the step-up cookie is __Secure-, Secure and HttpOnly, and the whole step-up works', async () => {
    await tls.services.roles.create({ name: 'user-manager' });
    const org = await tls.services.organisations.create({ name: 'TLS Org', grantableRoles: ['user-manager'] });
    const manager = await tls.services.accounts.create({ email: 'tls.manager@example.com', password: PASSWORD, organisation: org.id, roles: ['user-manager'] });
    const { go, setCookies } = httpsBrowserBehindProxy(tls, { 'accept-language': 'en' });
    const start = await go('/manage');
    expect(start.status).toBe(303);
    expect(setCookies.find((cookie) => cookie.startsWith('__Secure-pforte.manage-step-up='))).toMatch(/path=\/manage;.*secure.*httponly/);
    const interaction = (await go(start.headers.get('location')!)).headers.get('location')!;
    expect((await go(interaction)).status).toBe(200);
    expect((await go(`${interaction}/password`, { email: manager.email, password: PASSWORD })).status).toBe(303);
    const tan = /^\s+(\d{6})\s*$/m.exec(tls.services.outbox!.list().at(-1)!.text)![1]!;
    const afterTan = await go(`${interaction}/tan`, { tan });
    expect(afterTan.status).toBe(303);
    const callback = (await go(afterTan.headers.get('location')!)).headers.get('location')!;
    expect(callback).toMatch(/^https:\/\/login\.example\.test\/manage\/callback\?code=/);
    const back = await go(callback);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/manage');
    const page = await go('/manage');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Manage users');
  });
});
