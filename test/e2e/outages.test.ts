import { once } from 'node:events';
import { afterAll, describe, expect, test } from '@jest/globals';
import { adminCall, adminToken } from '../helpers/admin-api.js';
import { Browser } from '../helpers/browser.js';
import { createTestDatabase } from '../helpers/database.js';
import { freePort } from '../helpers/free-port.js';
import { LogCapture } from '../helpers/log-capture.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const EMAIL = 'ausfall@example.com';
const PASSWORD = 'Sichere-Passw0rt!';
const BLAMES_RELYING_PARTY = 'application that sent you here';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

/** A fresh database reached through a TCP proxy the test can cut and restore. */
async function databaseBehindProxy(name: string) {
  const database = await createTestDatabase(name);
  cleanups.push(() => database.drop());
  const direct = new URL(database.url);
  const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  cleanups.push(() => proxy.close());
  const viaProxy = new URL(database.url);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  return { proxy, viaProxy };
}

function english(app: TestApp) {
  return new Browser(app.url, { 'Accept-Language': 'en' });
}

/** A person's page during an outage: 503, "temporarily unavailable", a reference, no blame. */
function expectUnavailablePage(res: { status: number; text: string }) {
  expect(res.status).toBe(503);
  expect(res.text).toContain('The service is temporarily unavailable');
  expect(res.text).toMatch(/Request reference: [0-9a-f-]{36}/);
  expect(res.text).not.toContain(BLAMES_RELYING_PARTY);
}

/** A new authorization request: the relying party hears temporarily_unavailable at its redirect URI. */
async function expectRelyingPartyToldUnavailable(app: TestApp, rp: RelyingParty) {
  const flow = new LoginFlow(app, rp, english(app));
  const res = await flow.browser.get((await flow.authorizationUrl()).href);
  expect(res.status).toBe(303);
  const location = new URL(res.headers.location!);
  expect(`${location.origin}${location.pathname}`).toBe(rp.redirectUri);
  expect(location.searchParams.get('error')).toBe('temporarily_unavailable');
  expect(location.searchParams.get('state')).toBe(flow.state);
}

/** The token endpoint answers 503 {"error":"temporarily_unavailable"} (SPEC 8). */
async function expectTokenEndpointUnavailable(app: TestApp, rp: RelyingParty) {
  const res = await english(app).agent.post('/token').auth(rp.clientId, rp.clientSecret!)
    .type('form').send({ grant_type: 'authorization_code', code: 'x'.repeat(43), redirect_uri: rp.redirectUri, code_verifier: 'v'.repeat(43) });
  expect(res.status).toBe(503);
  expect(res.body.error).toBe('temporarily_unavailable');
}

describe('a dependency fails mid-flow; pforte says so, blames nobody and recovers', () => {
  test('Redis stopped mid-flow and restarted', async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.remove());
    const app = await startTestApp({ REDIS_URL: redis.url });
    cleanups.push(() => app.close());
    const rp = await registerRelyingParty(app);
    await app.services.accounts.create({ email: EMAIL, password: PASSWORD });
    // Tokens issued before the outage, for the resource endpoints during it.
    const earlier = new LoginFlow(app, rp, english(app));
    await earlier.startAuthorization();
    await earlier.submitPassword(EMAIL, PASSWORD);
    const { access_token: accessToken } = await earlier.finishAtCallback();
    const flow = new LoginFlow(app, rp, english(app));
    await flow.startAuthorization();

    await redis.stop();
    expectUnavailablePage(await flow.browser.get(`/interaction/${flow.uid}`));
    expectUnavailablePage(await flow.browser.post(`/interaction/${flow.uid}/password`, { email: EMAIL, password: PASSWORD }));
    await expectRelyingPartyToldUnavailable(app, rp);
    await expectTokenEndpointUnavailable(app, rp);
    const userinfo = await english(app).agent.get('/me').set('Authorization', `Bearer ${accessToken}`);
    expect(userinfo.status).toBe(503);
    expect(userinfo.body.error).toBe('temporarily_unavailable');
    const introspection = await english(app).agent.post('/token/introspection').auth(rp.clientId, rp.clientSecret!).type('form').send({ token: accessToken });
    expect(introspection.status).toBe(503);
    expect(introspection.body.error).toBe('temporarily_unavailable');
    const ready = await flow.browser.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toEqual({ postgres: 'ok', redis: 'unavailable' });

    // Back: the same flow finishes, nothing stored before the outage is lost.
    await redis.start();
    if (app.runtime.redis.status !== 'ready') await once(app.runtime.redis, 'ready');
    await flow.showPage();
    await flow.submitPassword(EMAIL, PASSWORD);
    const tokens = await flow.finishAtCallback();
    expect(tokens.claims()!.email).toBe(EMAIL);
    expect((await flow.browser.get('/readyz')).status).toBe(200);
  });

  test('Postgres cut (TCP proxy) and restored', async () => {
    const { proxy, viaProxy } = await databaseBehindProxy('cut');
    const log = new LogCapture();
    // No client cache: the client lookup itself must meet the outage.
    const app = await startTestApp({ DATABASE_URL: viaProxy.href, LOG_LEVEL: 'info', CLIENT_CACHE_SECONDS: '0' }, { logDestination: log });
    cleanups.push(() => app.close());
    const rp = await registerRelyingParty(app);
    await app.services.accounts.create({ email: EMAIL, password: PASSWORD });
    const flow = new LoginFlow(app, rp, english(app));
    await flow.startAuthorization();

    proxy.cut();
    expectUnavailablePage(await flow.browser.post(`/interaction/${flow.uid}/password`, { email: EMAIL, password: PASSWORD }));
    // The client itself cannot be looked up: no redirect URI can be trusted, so a page it is.
    const other = new LoginFlow(app, rp, english(app));
    expectUnavailablePage(await other.browser.get((await other.authorizationUrl()).href));
    await expectTokenEndpointUnavailable(app, rp);
    const ready = await flow.browser.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toEqual({ postgres: 'unavailable', redis: 'ok' });
    // knex's own complaints reach the JSON log by kind, without the driver's text.
    const knexLines = log.entries().filter((entry) => entry.component === 'knex');
    expect(knexLines.length).toBeGreaterThan(0);
    expect(JSON.stringify(knexLines)).not.toMatch(/ECONNRESET|127\.0\.0\.1/);

    proxy.restore();
    await flow.showPage();
    await flow.submitPassword(EMAIL, PASSWORD);
    expect((await flow.finishAtCallback()).claims()!.email).toBe(EMAIL);
    expect((await flow.browser.get('/readyz')).status).toBe(200);
  });

  test('SMTP refusing connections: the TAN page says the mail could not be sent, and not that it was', async () => {
    const app = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${await freePort()}` });
    cleanups.push(() => app.close());
    const rp = await registerRelyingParty(app, { scopes: ['openid', 'email', 'profile', 'agent'] });
    await app.services.accounts.create({ email: 'makler@example.com', agentNumber: '60/123/0042' });
    const flow = new LoginFlow(app, rp, english(app));
    await flow.startAuthorization({ login_method: 'agent', ui_locales: 'en' });
    const page = await flow.submit('agent', { agent_number: '60/123/0042', email: 'makler@example.com' }, 503);
    expect(page.text).toContain('The email could not be sent right now');
    expect(page.text).not.toContain('we have sent a TAN');
    expect(page.text).not.toContain('We have sent a TAN');
    expect(page.text).not.toContain(BLAMES_RELYING_PARTY);
  });
});

test('admin API with Postgres cut: 503 unavailable as JSON, never a 500; works again once restored', async () => {
  const { proxy, viaProxy } = await databaseBehindProxy('admin_cut');
  // No client cache: the admin client's lookup itself meets the outage.
  const app = await startTestApp({ DATABASE_URL: viaProxy.href, CLIENT_CACHE_SECONDS: '0' });
  cleanups.push(() => app.close());
  const { token } = await adminToken(app);

  proxy.cut();
  for (const [method, path, body] of [['GET', '/users'], ['POST', '/roles', { name: 'outage-role' }]] as const) {
    const answer = await adminCall(app, method, path, { token, body });
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ error: 'unavailable', message: expect.any(String) });
    expect(answer.text).not.toMatch(/ECONNRESET|127\.0\.0\.1|knex|stack/i);
  }

  proxy.restore();
  expect((await adminCall(app, 'GET', '/users', { token })).status).toBe(200);
});
