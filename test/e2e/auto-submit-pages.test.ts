import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// The provider's auto-submitted forms, seen as a browser receives them: pforte's page,
// its served script, the <noscript> button in the page language, a strict CSP.
const PASSWORD = 'Sichere-Passw0rt!';
let app: TestApp;
let rp: RelyingParty;

beforeAll(async () => {
  app = await startTestApp();
  rp = await registerRelyingParty(app);
  await app.services.accounts.create({ email: 'anna@example.com', password: PASSWORD });
  await app.services.accounts.create({ email: 'bernd@example.com', password: PASSWORD });
});
afterAll(() => app?.close());

function expectPfortePage(res: { headers: Record<string, string>; text: string }, lang: string, button: string) {
  expect(res.text).toContain(`<html lang="${lang}">`);
  expect(res.text).toContain('<form id="auto-submit" method="post"');
  expect(res.text).toContain('<script src="/assets/auto-submit.js"></script>');
  expect(res.text).toContain(`<button type="submit" autofocus>${button}</button>`);
  expect(res.text).not.toContain('Submitting Callback');
  expect(res.text).not.toMatch(/<script>/);
  expect(res.headers['content-security-policy']).toContain("script-src 'self';");
  expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline|'sha256-/);
}

test('form_post carries code, state and issuer to the redirect URI, state escaped', async () => {
  const flow = new LoginFlow(app, rp);
  const state = `a"b<c>&d'e`;
  flow.state = state;
  await flow.startAuthorization({ response_mode: 'form_post', ui_locales: 'nl' });
  const submitted = await flow.browser.post(`/interaction/${flow.uid}/password`, { email: 'anna@example.com', password: PASSWORD });
  const page = await flow.browser.get(submitted.headers.location!);
  expect(page.status).toBe(200);
  expectPfortePage(page, 'nl', 'Verder');
  expect(page.text).toContain(`action="${rp.redirectUri}"`);
  expect(page.text).toMatch(/name="code" value="[A-Za-z0-9_-]+"/);
  expect(page.text).toContain('name="state" value="a&#34;b&lt;c&gt;&amp;d&#39;e"');
  expect(page.text).toContain(`name="iss" value="${app.url}"`);
});

test('an error by form_post (the person cancels) reaches the relying party the same way', async () => {
  const flow = new LoginFlow(app, rp);
  await flow.startAuthorization({ response_mode: 'form_post', ui_locales: 'en' });
  const aborted = await flow.browser.post(`/interaction/${flow.uid}/abort`, {});
  const page = await flow.browser.get(aborted.headers.location!);
  expect(page.status).toBe(400);
  expectPfortePage(page, 'en', 'Continue');
  expect(page.text).toContain('name="error" value="access_denied"');
});

test('another account in the same browser: old session ended on pforte\'s page, then the new sign-in completes', async () => {
  const first = new LoginFlow(app, rp);
  await first.startAuthorization();
  await first.submitPassword('anna@example.com', PASSWORD);
  const anna = (await first.finishAtCallback()).claims()!;

  const second = new LoginFlow(app, rp, first.browser);
  await second.startAuthorization({ prompt: 'login', ui_locales: 'de' });
  const submitted = await second.browser.post(`/interaction/${second.uid}/password`, { email: 'bernd@example.com', password: PASSWORD });
  const resumeUrl = submitted.headers.location!;
  const logoutPage = await second.browser.get(resumeUrl);
  expect(logoutPage.status).toBe(200);
  expectPfortePage(logoutPage, 'de', 'Weiter');
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(logoutPage.text)![1]!;
  const loggedOut = await second.browser.post('/session/end/confirm', { xsrf, logout: 'yes' });
  expect(loggedOut.status).toBe(303);
  expect(loggedOut.headers.location).toBe(resumeUrl);
  // The resumed sign-in was answered 400 invalid_request before the adapter fix.
  await second.resume(loggedOut.headers.location!);
  const bernd = (await second.finishAtCallback()).claims()!;
  expect(bernd.email).toBe('bernd@example.com');
  expect(bernd.sub).not.toBe(anna.sub);
});

test('logout without a session confirms itself on pforte\'s page and returns to the relying party', async () => {
  const browser = new Browser(app.url);
  const params = new URLSearchParams({ client_id: rp.clientId, post_logout_redirect_uri: 'https://rp.example.test/logged-out', state: 'x1' });
  const page = await browser.get(`/session/end?${params}`);
  expect(page.status).toBe(200);
  expectPfortePage(page, 'de', 'Weiter');
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)![1]!;
  const done = await browser.post('/session/end/confirm', { xsrf, logout: 'yes' });
  expect(done.headers.location).toBe('https://rp.example.test/logged-out?state=x1');
});

test('the auto-submit script is a served file; other assets are not', async () => {
  const browser = new Browser(app.url);
  const script = await browser.get('/assets/auto-submit.js');
  expect(script.status).toBe(200);
  expect(script.headers['content-type']).toMatch(/^text\/javascript/);
  expect(script.headers['content-security-policy']).toBeUndefined();
  expect((await browser.get('/assets/../package.json')).status).toBe(404);
  expect((await browser.get('/assets/other.js')).status).toBe(404);
});
