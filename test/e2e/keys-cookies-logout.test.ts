import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { httpsBrowserBehindProxy } from '../helpers/https-browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { REGISTERED_BY_ADMIN } from '../../src/domain/clients.js';
import { verifyProviderJwt } from '../helpers/jwt.js';
import { LogCapture } from '../helpers/log-capture.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
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
});

/** A relying party's back-channel logout endpoint on 127.0.0.1 that records what arrives. */
async function startLogoutReceiver(): Promise<{ uri: string; received: string[]; close(): void }> {
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => { received.push(body); res.end(); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { uri: `http://127.0.0.1:${port}/backchannel`, received, close: () => server.close() };
}

/** Signs in to `rp` and confirms the logout page; resolves after the provider's back-channel calls. */
async function signInAndLogOut(app: TestApp, rp: RelyingParty, email: string) {
  const account = await app.services.accounts.create({ email, password: PASSWORD });
  const flow = new LoginFlow(app, rp);
  await flow.startAuthorization();
  await flow.submitPassword(account.email, PASSWORD);
  const tokens = await flow.finishAtCallback();
  const page = await flow.browser.get(oidc.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token! }).href);
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)![1]!;
  const action = /action="([^"]+)"/.exec(page.text)![1]!;
  const done = await flow.browser.post(action, { xsrf, logout: 'yes' });
  expect(done.status).toBeLessThan(400);
  return { account, sid: tokens.claims()!.sid };
}

describe('back-channel logout with the special-use address guard active', () => {
  // BACKCHANNEL_LOGOUT_INTERNAL_HOSTS unset: loopback and private addresses are refused.
  let app: TestApp;
  const log = new LogCapture();
  beforeAll(async () => {
    app = await startTestApp({ LOG_LEVEL: 'debug' }, { logDestination: log });
  });
  afterAll(() => app?.close());

  test('a client on a loopback address is not called, and the failure is logged without the token', async () => {
    const receiver = await startLogoutReceiver();
    try {
      const rp = await registerRelyingParty(app, { backchannelLogoutUri: receiver.uri });
      await signInAndLogOut(app, rp, 'bcl-refused@example.com');
      expect(receiver.received).toEqual([]);
      const [failure, ...more] = log.find('back-channel logout failed');
      expect(more).toEqual([]);
      expect(failure).toMatchObject({ level: 50, clientId: rp.clientId, err: { code: 'special_use_address_refused', message: expect.stringContaining('127.0.0.1') } });
      expect(log.text()).not.toMatch(/logout_token|eyJ[\w-]+\.eyJ/);
    } finally {
      receiver.close();
    }
  });
});

describe('back-channel logout to internal hosts an operator allows', () => {
  let app: TestApp;
  const log = new LogCapture();
  beforeAll(async () => {
    app = await startTestApp({ BACKCHANNEL_LOGOUT_INTERNAL_HOSTS: 'portal.intern.example, 127.0.0.0/8', LOG_LEVEL: 'debug' }, { logDestination: log });
  });
  afterAll(() => app?.close());

  test('a client registered by an administrator receives a logout token that verifies', async () => {
    const receiver = await startLogoutReceiver();
    try {
      const rp = await registerRelyingParty(app, { backchannelLogoutUri: receiver.uri });
      const { account, sid } = await signInAndLogOut(app, rp, 'bcl@example.com');
      expect(receiver.received).toHaveLength(1);
      const logoutToken = new URLSearchParams(receiver.received[0]!).get('logout_token')!;
      const payload = await verifyProviderJwt(app, logoutToken);
      expect(payload).toMatchObject({ iss: app.url, sub: account.id, aud: rp.clientId, sid });
      expect(payload.events).toHaveProperty(['http://schemas.openid.net/event/backchannel-logout']);
      expect(log.find('back-channel logout delivered')).toEqual([expect.objectContaining({ clientId: rp.clientId })]);
      expect(log.find('back-channel logout failed')).toEqual([]);
    } finally {
      receiver.close();
    }
  });

  test('a client without the administrator marker (as a dynamically registered one) stays restricted', async () => {
    const receiver = await startLogoutReceiver();
    try {
      const rp = await registerRelyingParty(app, { backchannelLogoutUri: receiver.uri });
      const row = await app.runtime.db('clients').where({ client_id: rp.clientId }).first();
      const { [REGISTERED_BY_ADMIN]: marker, ...metadata } = row.metadata as Record<string, unknown>;
      expect(marker).toBe(true);
      await app.runtime.db('clients').where({ client_id: rp.clientId }).update({ metadata: JSON.stringify(metadata) });
      await signInAndLogOut(app, rp, 'bcl-dynamic@example.com');
      expect(receiver.received).toEqual([]);
      expect(log.find('back-channel logout failed')).toEqual([
        expect.objectContaining({ clientId: rp.clientId, err: expect.objectContaining({ code: 'special_use_address_refused' }) }),
      ]);
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
    const { go, setCookies } = httpsBrowserBehindProxy(app);
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
