import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const EMAIL = 'erika.muster@example.com';
const PASSWORD = 'Sichere-Passw0rt!';

let app: TestApp;
let rp: RelyingParty;
let accountId: string;

beforeAll(async () => {
  app = await startTestApp();
  rp = await registerRelyingParty(app);
  accountId = (await app.services.accounts.create({ email: EMAIL, password: PASSWORD, name: 'Erika Muster' })).id;
});
afterAll(() => app?.close());

async function signIn(party = rp, params: Record<string, string> = {}) {
  const flow = new LoginFlow(app, party);
  await flow.startAuthorization(params);
  await flow.showPage();
  await flow.submitPassword(EMAIL, PASSWORD);
  return { flow, tokens: await flow.finishAtCallback() };
}

describe('authorization code + PKCE with openid-client', () => {
  test('signs in, verifies the ID token, calls userinfo, refreshes, introspects, revokes', async () => {
    const { flow, tokens } = await signIn(rp, { scope: 'openid email profile offline_access' });
    expect(flow.callbackParams().get('iss')).toBe(app.url); // RFC 9207
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(accountId);
    expect(claims.email).toBe(EMAIL);
    expect(claims.name).toBe('Erika Muster');
    expect(claims.acr).toBe('urn:pforte:loa:1');
    expect(claims.amr).toEqual(['pwd']);
    expect(typeof claims.auth_time).toBe('number');

    const userinfo = await oidc.fetchUserInfo(rp.config, tokens.access_token, accountId);
    expect(userinfo).toMatchObject({ sub: accountId, email: EMAIL, name: 'Erika Muster' });

    expect(tokens.refresh_token).toBeDefined();
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeDefined();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()!.sub).toBe(accountId);

    const active = await oidc.tokenIntrospection(rp.config, refreshed.access_token);
    expect(active.active).toBe(true);
    expect(active.sub).toBe(accountId);

    // Another client may neither see nor revoke this token.
    const other = await registerRelyingParty(app);
    expect((await oidc.tokenIntrospection(other.config, refreshed.access_token)).active).toBe(false);
    await oidc.tokenRevocation(other.config, refreshed.access_token).catch(() => undefined);
    expect((await oidc.tokenIntrospection(rp.config, refreshed.access_token)).active).toBe(true);

    await oidc.tokenRevocation(rp.config, refreshed.access_token);
    expect((await oidc.tokenIntrospection(rp.config, refreshed.access_token)).active).toBe(false);
  });

  test('every client gets a refresh token with the refresh_token grant, without offline_access', async () => {
    const { tokens } = await signIn();
    expect(tokens.refresh_token).toBeDefined();
  });

  test('a reused refresh token revokes the grant: the newest refresh token dies too', async () => {
    const { tokens } = await signIn();
    const first = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
    await expect(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(rp.config, first.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await oidc.tokenIntrospection(rp.config, first.access_token)).active).toBe(false);
  });

  test('a replayed code is refused and the tokens issued from it are revoked', async () => {
    const flow = new LoginFlow(app, rp);
    await flow.startAuthorization();
    await flow.submitPassword(EMAIL, PASSWORD);
    const tokens = await flow.finishAtCallback();
    await expect(flow.finishAtCallback()).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await oidc.tokenIntrospection(rp.config, tokens.access_token)).active).toBe(false);
    await expect(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  test('twenty parallel redemptions of one code: exactly one succeeds', async () => {
    const flow = new LoginFlow(app, rp);
    await flow.startAuthorization();
    await flow.submitPassword(EMAIL, PASSWORD);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => flow.finishAtCallback()));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ error: 'invalid_grant' });
    }
  });

  test('RP-initiated logout ends the session', async () => {
    const { flow, tokens } = await signIn();
    const logoutUrl = oidc.buildEndSessionUrl(rp.config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'https://rp.example.test/logged-out',
      ui_locales: 'en',
    });
    const page = await flow.browser.get(logoutUrl.href);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sign out');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)![1]!;
    const action = /action="([^"]+)"/.exec(page.text)![1]!;
    const confirmed = await flow.browser.post(action, { xsrf, logout: 'yes' });
    expect(confirmed.status).toBe(303);
    let location = confirmed.headers.location!;
    while (!location.startsWith('https://rp.example.test')) {
      const next = await flow.browser.get(location);
      expect([302, 303]).toContain(next.status);
      location = next.headers.location!;
    }
    expect(location).toBe('https://rp.example.test/logged-out');
    // The browser's session is gone: a new authorization asks for the password again.
    const again = new LoginFlow(app, rp, flow.browser);
    expect(await again.startAuthorization()).toMatch(/\/interaction\//);
  });

  test('a signed-in browser gets the next code without a login page', async () => {
    const { flow } = await signIn();
    const again = new LoginFlow(app, rp, flow.browser);
    expect(await again.startAuthorization()).toMatch(/^https:\/\/rp\.example\.test\/callback/);
    expect((await again.finishAtCallback()).claims()!.sub).toBe(accountId);
  });

  test('SSO with more scopes widens the first-party grant; the same scopes again leave it as it was', async () => {
    const { flow, tokens } = await signIn(rp, { scope: 'openid email' });
    expect(tokens.claims()!.name).toBeUndefined();
    const wider = new LoginFlow(app, rp, flow.browser);
    await wider.startAuthorization({ scope: 'openid email profile' });
    const widened = await wider.finishAtCallback();
    expect(widened.scope?.split(' ')).toContain('profile');
    expect(widened.claims()!.name).toBe('Erika Muster');
    const same = new LoginFlow(app, rp, flow.browser);
    await same.startAuthorization({ scope: 'openid email profile' });
    const again = await same.finishAtCallback();
    expect(again.scope?.split(' ')).toContain('profile');
    expect(again.claims()!.name).toBe('Erika Muster');
  });
});

describe('client authentication and client_credentials', () => {
  test('a confidential client gets an access token; a wrong secret is refused', async () => {
    const machine = await registerRelyingParty(app, { grantTypes: ['client_credentials'], redirectUris: [] });
    const token = await oidc.clientCredentialsGrant(machine.config, { scope: '' });
    expect(token.access_token).toBeDefined();
    const res = await new Browser(app.url).agent
      .post('/token')
      .auth(machine.clientId, 'wrong-secret')
      .type('form')
      .send({ grant_type: 'client_credentials' });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });
});

describe('consent', () => {
  test('a third-party client shows the consent page; Allow finishes, Cancel is access_denied', async () => {
    const thirdParty = await registerRelyingParty(app, { firstParty: false });
    const flow = new LoginFlow(app, thirdParty);
    await flow.startAuthorization({ ui_locales: 'en' });
    const next = await flow.submitPassword(EMAIL, PASSWORD);
    expect(next.location).toMatch(/\/interaction\//);
    const page = await flow.showPage();
    expect(page).toContain('Allow');
    expect(page).toContain('Your email address');
    await flow.submit('consent', {});
    expect((await flow.finishAtCallback()).claims()!.email).toBe(EMAIL);

    // Consent is remembered: the next sign-in in this browser goes straight back.
    const again = new LoginFlow(app, thirdParty, flow.browser);
    expect(await again.startAuthorization()).toMatch(/^https:\/\/rp\.example\.test\/callback/);

    const other = new LoginFlow(app, thirdParty);
    await other.startAuthorization();
    await other.submitPassword(EMAIL, PASSWORD);
    await other.submit('abort', {});
    expect(other.callbackParams().get('error')).toBe('access_denied');
  });
});

describe('unhappy paths', () => {
  test('wrong password and unknown email show the same message', async () => {
    const flow = new LoginFlow(app, rp);
    await flow.startAuthorization({ ui_locales: 'en' });
    const wrong = await flow.submit('password', { email: EMAIL, password: 'Wrong-Passw0rd!' }, 401);
    const unknown = await flow.submit('password', { email: 'nobody@example.com', password: 'Wrong-Passw0rd!' }, 401);
    const message = 'The email address or password is incorrect.';
    expect(wrong.text).toContain(message);
    expect(unknown.text).toContain(message);
    const strip = (html: string) => html.replace(/value="[^"]*"/g, '');
    expect(strip(wrong.text)).toBe(strip(unknown.text));
    // The form stays usable: the right password still works.
    await flow.submitPassword(EMAIL, PASSWORD);
    expect(flow.callbackUrl).toBeDefined();
    const failures = await app.services.auditRepo.list({ type: 'login.failure' });
    expect(failures.length).toBeGreaterThanOrEqual(2);
  });

  test('an unregistered redirect_uri is never redirected to', async () => {
    const flow = new LoginFlow(app, rp);
    const url = await flow.authorizationUrl({ redirect_uri: 'https://evil.example.test/callback' });
    const res = await flow.browser.get(url.href);
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('redirect_uri');
  });

  test('a public client without PKCE is refused', async () => {
    const publicRp = await registerRelyingParty(app, { isPublic: true });
    const flow = new LoginFlow(app, publicRp);
    const url = await flow.authorizationUrl();
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const res = await flow.browser.get(url.href);
    expect(res.status).toBe(303);
    const callback = new URL(res.headers.location!);
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  test('an unknown or expired interaction shows "start again", status 400', async () => {
    const browser = new Browser(app.url, { 'Accept-Language': 'en' });
    const res = await browser.get('/interaction/doesnotexist');
    expect(res.status).toBe(400);
    expect(res.text).toContain('This sign-in has expired');
    const flow = new LoginFlow(app, rp);
    await flow.startAuthorization();
    await app.provider.Interaction.adapter.destroy(flow.uid!);
    const expired = await flow.browser.post(`/interaction/${flow.uid}/password`, { email: EMAIL, password: PASSWORD });
    expect(expired.status).toBe(400);
    expect(expired.text).toContain('Diese Anmeldung ist abgelaufen');
  });

  test('malformed form bodies get a clear 400 page and store nothing', async () => {
    const flow = new LoginFlow(app, rp);
    await flow.startAuthorization({ ui_locales: 'en' });
    const before = await app.services.auditRepo.list();
    const post = (body: string | Buffer, type = 'application/x-www-form-urlencoded') =>
      flow.browser.agent.post(`/interaction/${flow.uid}/password`).set('Content-Type', type).serialize((b: unknown) => b as string).send(body as string).redirects(0);
    for (const res of [
      await post('email=%ZZ&password=x'),
      await post(Buffer.from([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x3d, 0xff, 0xfe])),
      await post('email=a%C0%AF&password=x'),
      await post('email=a&email=b&password=x'),
      await post(`email=${'a'.repeat(20000)}`),
      await post('{"email":"x"}', 'application/json'),
    ]) {
      expect([400, 413]).toContain(res.status);
      expect(res.text).toContain(res.status === 413 ? 'The form sent was too large.' : 'The request was not understood');
    }
    expect(await app.services.auditRepo.list()).toHaveLength(before.length);
    // Script in a field comes back escaped, never as markup.
    const hostile = await flow.submit('password', { email: '<script>alert(1)</script>', password: 'x' }, 401);
    expect(hostile.text).not.toContain('<script>alert(1)</script>');
    expect(hostile.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('pages and headers', () => {
  test('login page: German by default, English labels with ui_locales=en, no framing, no caching', async () => {
    const de = new LoginFlow(app, rp);
    await de.startAuthorization();
    const page = await de.browser.get(`/interaction/${de.uid}`);
    expect(page.text).toContain('<label for="password">Passwort</label>');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['cache-control']).toBe('no-store');

    const en = new LoginFlow(app, rp);
    await en.startAuthorization({ ui_locales: 'en', login_hint: 'someone@example.com' });
    const html = await en.showPage();
    for (const label of ['Email', 'Password', 'Stay signed in']) expect(html).toContain(`>${label}</label>`);
    expect(html).toContain('>Sign in</button>');
    expect(html).toContain('Forgot password?');
    expect(html).toContain('value="someone@example.com"');
  });

  test('cookies are HttpOnly; without "Stay signed in" the session cookie ends with the browser', async () => {
    const flow = new LoginFlow(app, rp);
    await flow.startAuthorization();
    const res = await flow.browser.post(`/interaction/${flow.uid}/password`, { email: EMAIL, password: PASSWORD });
    const resumed = await flow.browser.get(res.headers.location!);
    const cookies = ([] as string[]).concat(resumed.headers['set-cookie'] ?? []);
    const session = cookies.find((c) => c.startsWith('pforte.session='));
    expect(session).toBeDefined();
    expect(session).toMatch(/httponly/i);
    expect(session).not.toMatch(/expires=/i);

    const remembered = new LoginFlow(app, rp);
    await remembered.startAuthorization();
    const res2 = await remembered.browser.post(`/interaction/${remembered.uid}/password`, { email: EMAIL, password: PASSWORD, remember: 'on' });
    const resumed2 = await remembered.browser.get(res2.headers.location!);
    const persistent = ([] as string[]).concat(resumed2.headers['set-cookie'] ?? []).find((c) => c.startsWith('pforte.session='));
    const expires = new Date(/expires=([^;]+)/i.exec(persistent!)![1]!).getTime();
    expect(expires - Date.now()).toBeGreaterThan(29 * 86400_000);
  });

  test('the help page covers the seed\'s situations in every language', async () => {
    const en = await new Browser(app.url, { 'Accept-Language': 'en' }).get('/help');
    expect(en.status).toBe(200);
    expect(en.text).toContain('I do not receive the email with the TAN');
    expect(en.text).toContain('My access is not active or my account is blocked');
    expect((await new Browser(app.url).get('/help')).text).toContain('Hilfe bei der Anmeldung');
    expect((await new Browser(app.url).get('/help?ui_locales=nl')).text).toContain('Hulp bij inloggen');
  });

  test('healthz and readyz', async () => {
    const browser = new Browser(app.url);
    expect((await browser.get('/healthz')).status).toBe(200);
    const ready = await browser.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ postgres: 'ok', redis: 'ok' });
  });
});
