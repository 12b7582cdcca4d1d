import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const PASSWORD = 'Sichere-Passw0rt!';

describe('signing keys', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  test('RS256 and ES256 keys are published without private parts and stored encrypted', async () => {
    const jwks = (await new Browser(app.url).get('/jwks')).body as { keys: Record<string, unknown>[] };
    expect(jwks.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    for (const key of jwks.keys) expect(key.d).toBeUndefined();
    const rows = await app.runtime.db('signing_keys').select('private_jwk_encrypted');
    for (const row of rows) {
      expect(row.private_jwk_encrypted).toMatch(/^v1\./);
      expect(row.private_jwk_encrypted).not.toContain('"d"');
    }
  });

  test('back-channel logout posts a signed logout token to the client', async () => {
    const received: string[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => { received.push(body); res.end(); });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const port = (receiver.address() as { port: number }).port;
      const rp = await registerRelyingParty(app, { backchannelLogoutUri: `http://127.0.0.1:${port}/backchannel` });
      const account = await app.services.accounts.create({ email: 'bcl@example.com', password: PASSWORD });
      const flow = new LoginFlow(app, rp);
      await flow.startAuthorization();
      await flow.submitPassword(account.email, PASSWORD);
      const tokens = await flow.finishAtCallback();
      const page = await flow.browser.get(oidc.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token! }).href);
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)![1]!;
      const action = /action="([^"]+)"/.exec(page.text)![1]!;
      await flow.browser.post(action, { xsrf, logout: 'yes' });
      expect(received).toHaveLength(1);
      const logoutToken = new URLSearchParams(received[0]!).get('logout_token')!;
      const payload = JSON.parse(Buffer.from(logoutToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      expect(payload.sub).toBe(account.id);
      expect(payload.aud).toBe(rp.clientId);
      expect(payload.events).toHaveProperty(['http://schemas.openid.net/event/backchannel-logout']);
    } finally {
      receiver.close();
    }
  });
});

describe('cookies on an https issuer', () => {
  let app: TestApp;
  beforeAll(async () => {
    // pforte behind a TLS-terminating proxy: https issuer, X-Forwarded-Proto trusted.
    app = await startTestApp({ ISSUER: 'https://login.example.test', TRUST_PROXY: 'true' });
  });
  afterAll(() => app?.close());

  test('session and device cookies are __Host- prefixed and Secure; interaction cookies __Secure-', async () => {
    // Registered directly: openid-client cannot reach the proxy's host name from here.
    const client = await app.services.clients.create({ name: 'tls-rp', redirectUris: ['https://rp.example.test/callback'], firstParty: true, minAcr: 'urn:pforte:loa:2', defaultAcr: 'urn:pforte:loa:2' });
    const account = await app.services.accounts.create({ email: 'tls@example.com', password: PASSWORD });
    const jar = new Map<string, string>();
    const setCookies: string[] = [];
    // A browser behind the proxy: cookies kept by hand, every request marked as https.
    const go = async (url: string, form?: Record<string, string>) => {
      const target = new URL(url, app.url);
      const res = await fetch(`http://127.0.0.1:${app.port}${target.pathname}${target.search}`, {
        method: form ? 'POST' : 'GET',
        redirect: 'manual',
        headers: {
          'x-forwarded-proto': 'https',
          cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: form ? new URLSearchParams(form).toString() : undefined,
      });
      for (const cookie of res.headers.getSetCookie()) {
        setCookies.push(cookie);
        const [pair] = cookie.split(';');
        const eq = pair!.indexOf('=');
        jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
      }
      return res;
    };
    const auth = new URL(`${app.url}/auth`);
    auth.search = new URLSearchParams({ client_id: client.client_id, response_type: 'code', scope: 'openid', redirect_uri: 'https://rp.example.test/callback', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', state: 's' }).toString();
    const interaction = (await go(auth.href)).headers.get('location')!;
    const afterPassword = await go(`${interaction}/password`, { email: account.email, password: PASSWORD });
    expect(afterPassword.status).toBe(303);
    const tan = /^\s+(\d{6})\s*$/m.exec(app.services.outbox!.list()[0]!.text)![1]!;
    const afterTan = await go(`${interaction}/tan`, { tan, trust: 'on' });
    expect(afterTan.status).toBe(303);
    const callback = (await go(afterTan.headers.get('location')!)).headers.get('location')!;
    expect(callback).toMatch(/^https:\/\/rp\.example\.test\/callback\?code=/);

    const named = (prefix: string) => setCookies.find((c) => c.startsWith(prefix));
    for (const name of ['__Host-pforte.session=', '__Host-pforte.device=']) {
      expect(named(name)).toMatch(/; path=\/;/i);
      expect(named(name)).toMatch(/; secure/i);
      expect(named(name)).toMatch(/; httponly/i);
      expect(named(name)).not.toMatch(/domain=/i);
    }
    expect(named('__Secure-pforte.interaction=')).toMatch(/; secure/i);
    expect(setCookies.some((c) => /^pforte\./.test(c))).toBe(false);
  });
});
