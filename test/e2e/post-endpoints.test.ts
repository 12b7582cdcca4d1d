import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// OpenID Connect requires POST at the authorization endpoint (Core 3.1.2.1) and the
// end-session endpoint (RP-Initiated Logout 2); both take form-serialised parameters.
const PASSWORD = 'Sichere-Passw0rt!';
let app: TestApp;
let rp: RelyingParty;

beforeAll(async () => {
  app = await startTestApp();
  rp = await registerRelyingParty(app);
  await app.services.accounts.create({ email: 'post@example.com', password: PASSWORD });
});
afterAll(() => app?.close());

/** The parameters an authorization URL carries, as the form a relying party would post. */
async function authorizationForm(flow: LoginFlow, params: Record<string, string> = {}): Promise<Record<string, string>> {
  return Object.fromEntries((await flow.authorizationUrl(params)).searchParams);
}

describe('POST /auth', () => {
  test('a urlencoded POST leads to the login page and on to the relying party like a GET', async () => {
    const flow = new LoginFlow(app, rp);
    const form = await authorizationForm(flow, { ui_locales: 'en' });
    const posted = await flow.browser.post('/auth', form);
    expect(posted.status).toBe(303);
    const location = new URL(posted.headers.location!, app.url);
    expect(location.pathname).toBe('/auth');
    expect(Object.fromEntries(location.searchParams)).toEqual(form);

    const started = await flow.browser.get(location.href);
    expect(started.status).toBe(303);
    await flow.resume(started.headers.location!);
    expect(flow.uid).toBeDefined();
    expect(await flow.showPage()).toContain('type="password"');
    await flow.submitPassword('post@example.com', PASSWORD);
    const tokens = await flow.finishAtCallback();
    expect(tokens.claims()?.email).toBe('post@example.com');
  });

  test('values with spaces, plus signs and non-ASCII text arrive unchanged', async () => {
    const flow = new LoginFlow(app, rp);
    const form = await authorizationForm(flow, { state: 'a+b c&d=é€', ui_locales: 'nl en' });
    const posted = await flow.browser.post('/auth', form);
    expect(posted.status).toBe(303);
    expect(Object.fromEntries(new URL(posted.headers.location!, app.url).searchParams)).toEqual(form);
  });

  test('a request the provider refuses by GET is refused the same way by POST', async () => {
    const browser = new Browser(app.url);
    const posted = await browser.post('/auth', { client_id: 'no-such-client', response_type: 'code', scope: 'openid', redirect_uri: rp.redirectUri });
    expect(posted.status).toBe(303);
    const refused = await browser.get(posted.headers.location!);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('invalid_client');
  });

  test('a body that is no clean form is a 400 page and nothing starts', async () => {
    const browser = new Browser(app.url);
    const interactions = () => app.runtime.redis.keys(`${app.redisPrefix}*:Interaction:*`);
    const keysBefore = await interactions();
    const json = await browser.agent.post('/auth').set('Content-Type', 'application/json').send({ client_id: rp.clientId });
    expect(json.status).toBe(400);
    expect(json.headers.location).toBeUndefined();
    const badUtf8 = await browser.agent.post('/auth').set('Content-Type', 'application/x-www-form-urlencoded').send('client_id=%C3%28');
    expect(badUtf8.status).toBe(400);
    const nul = await browser.post('/auth', 'client_id=a%00b');
    expect(nul.status).toBe(400);
    const oversized = await browser.post('/auth', { client_id: rp.clientId, state: 'x'.repeat(9000) });
    expect(oversized.status).toBe(413);
    expect(await interactions()).toEqual(keysBefore);
    // The same count sees a sign-in that does start.
    const started = await browser.post('/auth', await authorizationForm(new LoginFlow(app, rp)));
    await browser.get(started.headers.location!);
    expect(await interactions()).toHaveLength(keysBefore.length + 1);
  });

  test('other methods and paths are not touched', async () => {
    const browser = new Browser(app.url);
    expect((await browser.agent.put('/auth').type('form').send('client_id=x')).status).toBe(404);
    expect((await browser.post('/auth/extra', { client_id: 'x' })).status).toBe(404);
  });
});

describe('POST /session/end', () => {
  test('with id_token_hint and post_logout_redirect_uri: confirmation, then back to the relying party', async () => {
    const flow = new LoginFlow(app, rp);
    await flow.startAuthorization();
    await flow.submitPassword('post@example.com', PASSWORD);
    const tokens = await flow.finishAtCallback();

    const posted = await flow.browser.post('/session/end', {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'https://rp.example.test/logged-out',
      state: 'bye',
      ui_locales: 'en',
    });
    expect(posted.status).toBe(303);
    const confirmation = await flow.browser.get(posted.headers.location!);
    expect(confirmation.status).toBe(200);
    expect(confirmation.text).toContain('Do you want to sign out');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirmation.text)![1]!;
    const confirmed = await flow.browser.post('/session/end/confirm', { xsrf, logout: 'yes' });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.location).toBe('https://rp.example.test/logged-out?state=bye');

    // The session is gone: a silent sign-in now needs a login.
    const silent = new LoginFlow(app, rp, flow.browser);
    await silent.startAuthorization({ prompt: 'none' });
    expect(silent.callbackParams().get('error')).toBe('login_required');
  });

  test('an unregistered post_logout_redirect_uri is refused', async () => {
    const flow = new LoginFlow(app, rp);
    await flow.startAuthorization();
    await flow.submitPassword('post@example.com', PASSWORD);
    const tokens = await flow.finishAtCallback();
    const posted = await flow.browser.post('/session/end', { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://evil.example/' });
    expect(posted.status).toBe(303);
    const refused = await flow.browser.get(posted.headers.location!);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('invalid_request');
    expect(refused.text).not.toContain('evil.example');
  });

  test('openid-client builds a logout URL whose parameters POST the same way', async () => {
    const url = oidc.buildEndSessionUrl(rp.config, { post_logout_redirect_uri: 'https://rp.example.test/logged-out', client_id: rp.clientId });
    const browser = new Browser(app.url);
    const posted = await browser.post('/session/end', Object.fromEntries(url.searchParams));
    expect(posted.status).toBe(303);
    const page = await browser.get(posted.headers.location!);
    // Nobody signed in: the provider's own auto-submitted confirmation, on pforte's page.
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script src="/assets/auto-submit.js">');
  });
});
