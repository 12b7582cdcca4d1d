import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { configureRelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Real Chromium under pforte's CSP: the pages oidc-provider answers with an auto-submitted
// form (response_mode=form_post, ending the old session when another account signs in,
// logout without session) must get the person to the relying party, not to a blank page.
const PASSWORD = 'Sichere-Passw0rt!';
const ACCOUNTS = { anna: 'anna@example.com', bernd: 'bernd@example.com' };

/** The relying party's side: a loopback server that records what reaches its callback. */
interface CallbackServer {
  origin: string;
  received: Array<{ method: string; url: string; body: string }>;
  /** A page with a form that POSTs the given parameters to pforte's /auth (cross-site). */
  postForm?: Record<string, string>;
  close(): Promise<void>;
}

async function startCallbackServer(issuer: string): Promise<CallbackServer> {
  const server: Server = createServer();
  const callback: CallbackServer = {
    origin: '',
    received: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  server.on('request', async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const path = new URL(req.url!, callback.origin).pathname;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    if (path === '/cb') {
      callback.received.push({ method: req.method!, url: `${callback.origin}${req.url}`, body });
      res.end('<!DOCTYPE html><title>RP</title><h1>Relying party callback</h1>');
    } else if (path === '/post-auth' && callback.postForm) {
      const inputs = Object.entries(callback.postForm)
        .map(([name, value]) => `<input type="hidden" name="${name}" value="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">`).join('');
      res.end(`<!DOCTYPE html><title>RP</title><form method="post" action="${issuer}/auth">${inputs}<button>Sign in with pforte</button></form>`);
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  callback.origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return callback;
}

let app: TestApp;
let rpServer: CallbackServer;
let rpConfig: oidc.Configuration;
let redirectUri: string;
let chromiumBrowser: Browser;

beforeAll(async () => {
  app = await startTestApp();
  rpServer = await startCallbackServer(app.url);
  redirectUri = `${rpServer.origin}/cb`;
  const client = await app.services.clients.create({ name: 'Maklerportal', redirectUris: [redirectUri], firstParty: true });
  rpConfig = await configureRelyingParty(app, client.client_id, client.client_secret);
  for (const email of Object.values(ACCOUNTS)) await app.services.accounts.create({ email, password: PASSWORD });
  chromiumBrowser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await chromiumBrowser?.close();
  await rpServer?.close();
  await app?.close();
});
beforeEach(() => {
  rpServer.received.length = 0;
  delete rpServer.postForm;
});

/** One authorization request of the relying party, with what it must check at the callback. */
async function authorizationRequest(params: Record<string, string> = {}) {
  const checks = { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: oidc.randomState(), expectedNonce: oidc.randomNonce() };
  const url = oidc.buildAuthorizationUrl(rpConfig, {
    redirect_uri: redirectUri,
    scope: 'openid email',
    code_challenge: await oidc.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: checks.expectedState,
    nonce: checks.expectedNonce,
    ...params,
  });
  return { url, checks };
}

/** Exchanges what reached the callback (query or POSTed form) with openid-client. */
async function redeemAtCallback(checks: { pkceCodeVerifier: string; expectedState: string; expectedNonce: string }) {
  expect(rpServer.received).toHaveLength(1);
  const [arrival] = rpServer.received;
  const callback = arrival!.method === 'POST'
    ? new Request(arrival!.url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: arrival!.body })
    : new URL(arrival!.url);
  const tokens = await oidc.authorizationCodeGrant(rpConfig, callback, checks);
  rpServer.received.length = 0;
  return tokens.claims()!;
}

/** Watches a page for CSP violations and for pforte's auto-submit pages (200s at /auth/<uid>). */
function watch(page: Page) {
  const seen = { cspViolations: [] as string[], autoSubmitPages: [] as Response[], scriptLoads: 0 };
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.cspViolations.push(message.text());
  });
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.origin === app.url && /^\/auth\/[^/]+$/.test(url.pathname) && response.status() === 200) seen.autoSubmitPages.push(response);
  });
  page.on('request', (request) => {
    if (request.url() === `${app.url}/assets/auto-submit.js`) seen.scriptLoads += 1;
  });
  return seen;
}

async function signIn(page: Page, email: string, labels = { email: 'Email', password: 'Password', submit: 'Sign in' }) {
  await page.getByLabel(labels.email).fill(email);
  await page.getByLabel(labels.password).fill(PASSWORD);
  await page.getByRole('button', { name: labels.submit, exact: true }).click();
}

/** The CSP pforte sends stays strict: no inline script, no eval, frames refused. */
function expectStrictCsp(response: Response) {
  const csp = response.headers()['content-security-policy']!;
  expect(csp).toContain("script-src 'self';");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|'sha256-|'nonce-/);
}

async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromiumBrowser.newContext({ locale: 'en-US', ...options });
  return { context, page: await context.newPage() };
}

test('response_mode=form_post: the code is POSTed to the relying party and redeemed', async () => {
  const { context, page } = await newPage({ locale: 'de-DE' });
  const seen = watch(page);
  const { url, checks } = await authorizationRequest({ response_mode: 'form_post' });
  await page.goto(url.href);
  await signIn(page, ACCOUNTS.anna, { email: 'E-Mail-Adresse', password: 'Passwort', submit: 'Anmelden' });
  await page.waitForURL(redirectUri);
  expect(await page.locator('h1').innerText()).toBe('Relying party callback');

  expect(rpServer.received[0]?.method).toBe('POST');
  expect((await redeemAtCallback(checks)).email).toBe(ACCOUNTS.anna);
  expect(seen.autoSubmitPages).toHaveLength(1);
  expect(seen.scriptLoads).toBe(1);
  expectStrictCsp(seen.autoSubmitPages[0]!);
  expect(seen.cspViolations).toEqual([]);
  await context.close();
}, 60_000);

test('form_post without JavaScript: a "Weiter" button in the page language gets there too', async () => {
  const { context, page } = await newPage({ locale: 'de-DE', javaScriptEnabled: false });
  // A state with characters that need escaping arrives exactly as sent.
  const { url, checks } = await authorizationRequest({ response_mode: 'form_post', state: `a"b<c>&d'e` });
  checks.expectedState = `a"b<c>&d'e`;
  await page.goto(url.href);
  await signIn(page, ACCOUNTS.anna, { email: 'E-Mail-Adresse', password: 'Passwort', submit: 'Anmelden' });
  await page.waitForURL(`${app.url}/auth/**`);
  expect(await page.locator('h1').innerText()).toBe('Einen Moment bitte');
  expect(await page.locator('html').getAttribute('lang')).toBe('de');
  expect(rpServer.received).toHaveLength(0);
  await page.getByRole('button', { name: 'Weiter' }).click();
  await page.waitForURL(redirectUri);
  expect((await redeemAtCallback(checks)).email).toBe(ACCOUNTS.anna);
  await context.close();
}, 60_000);

test('signing in as another account in the same browser ends up signed in as that account', async () => {
  const { context, page } = await newPage();
  const seen = watch(page);
  const first = await authorizationRequest();
  await page.goto(first.url.href);
  await signIn(page, ACCOUNTS.anna);
  await page.waitForURL(`${redirectUri}?**`);
  expect((await redeemAtCallback(first.checks)).email).toBe(ACCOUNTS.anna);

  // The provider ends Anna's session with an auto-submitted form, then resumes Bernd's sign-in.
  const second = await authorizationRequest({ prompt: 'login' });
  await page.goto(second.url.href);
  await signIn(page, ACCOUNTS.bernd);
  await page.waitForURL(`${redirectUri}?**`);
  const claims = await redeemAtCallback(second.checks);
  expect(claims.email).toBe(ACCOUNTS.bernd);
  expect(seen.autoSubmitPages).toHaveLength(1);
  expect(seen.scriptLoads).toBe(1);
  expectStrictCsp(seen.autoSubmitPages[0]!);
  expect(seen.cspViolations).toEqual([]);

  // The browser's session is now Bernd's: a silent request gets his code.
  const silent = await authorizationRequest({ prompt: 'none' });
  await page.goto(silent.url.href);
  await page.waitForURL(`${redirectUri}?**`);
  expect((await redeemAtCallback(silent.checks)).sub).toBe(claims.sub);
  await context.close();
}, 60_000);

test('a relying party on another site POSTs to /auth: the signed-in person is recognised', async () => {
  const { context, page } = await newPage();
  const first = await authorizationRequest();
  await page.goto(first.url.href);
  await signIn(page, ACCOUNTS.anna);
  await page.waitForURL(`${redirectUri}?**`);
  const { sub } = await redeemAtCallback(first.checks);

  const silent = await authorizationRequest({ prompt: 'none' });
  rpServer.postForm = Object.fromEntries(silent.url.searchParams);
  await page.goto(`${rpServer.origin}/post-auth`);
  await page.getByRole('button', { name: 'Sign in with pforte' }).click();
  await page.waitForURL(`${redirectUri}?**`);
  expect((await redeemAtCallback(silent.checks)).sub).toBe(sub);
  await context.close();
}, 60_000);
