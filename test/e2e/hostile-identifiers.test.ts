import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { LogCapture } from '../helpers/log-capture.js';
import { REDIRECT_URI, registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const log = new LogCapture();
let app: TestApp;
let rp: RelyingParty;

beforeAll(async () => {
  app = await startTestApp({ LOG_LEVEL: 'info' }, { logDestination: log });
  rp = await registerRelyingParty(app);
});
afterAll(() => app?.close());

/** What must never reach a log line: SQL text and Postgres driver messages. */
function expectNoSqlOrDriverText(text: string) {
  expect(text).not.toMatch(/\b(select|insert|update|delete)\b[^"]*\b(from|into|set)\b/i);
  expect(text).not.toMatch(/invalid byte sequence|syntax error|violates|relation "|column "/i);
}

describe('a NUL byte or junk in client_id at /auth', () => {
  const hostile = ['\u0000abc', 'abc\u0000', 'x'.repeat(5000), 'a b', "'; drop table clients; --", '\u202e\u0000'];

  test.each(hostile.map((id) => [JSON.stringify(id).slice(0, 40), id]))('client_id=%s is a clean 400 invalid_client, never a 500', async (_label, clientId) => {
    const before = log.lines.length;
    const res = await new Browser(app.url).get(`/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: REDIRECT_URI })}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('invalid_client');
    expectNoSqlOrDriverText(log.lines.slice(before).join('\n'));
    expect(log.lines.slice(before).join('\n')).not.toContain('"level":50');
  });

  test('the same request with the real client still works', async () => {
    const res = await new Browser(app.url).get(`/auth?${new URLSearchParams({ client_id: rp.clientId, response_type: 'code', scope: 'openid', redirect_uri: REDIRECT_URI, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })}`);
    expect(res.status).toBe(303);
  });
});

describe('client_id with a NUL byte at the other endpoints', () => {
  test('/token, /token/introspection and /session/end refuse it as a client error', async () => {
    const agent = new Browser(app.url).agent;
    const token = await agent.post('/token').type('form').send({ grant_type: 'client_credentials', client_id: '\u0000x', client_secret: 'y' });
    expect(token.status).toBe(401);
    expect(token.body.error).toBe('invalid_client');
    const basic = await agent.post('/token/introspection').auth('\u0000x', 'y').type('form').send({ token: 'abc' });
    expect(basic.status).toBeLessThan(500);
    expect(basic.body.error).toMatch(/^invalid_(client|request)$/);
    const end = await agent.get(`/session/end?${new URLSearchParams({ client_id: '\u0000x' })}`);
    expect(end.status).toBe(400);
    expectNoSqlOrDriverText(log.text());
    expect(log.text()).not.toContain('"level":50');
  });
});

describe('NUL bytes and junk where a path names an interaction, a link or a device', () => {
  const junk = ['%00', '%00abc', 'x'.repeat(3000), '%27%3B--', '..%2F..%2Fetc'];

  test.each(junk.map((id) => [id.slice(0, 20), id]))('%s is refused cleanly, never a 500', async (_label, id) => {
    const browser = new Browser(app.url);
    const before = log.lines.length;
    for (const res of [
      await browser.get(`/interaction/${id}`),
      await browser.post(`/interaction/${id}/password`, { email: 'a@example.com', password: 'x' }),
      await browser.get(`/auth/${id}`),
      await browser.get(`/activate/${id}`),
      await browser.post(`/account/devices/${id}/revoke`, { csrf: 'x' }),
    ]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect(log.lines.slice(before).join('\n')).not.toContain('"level":50');
  });
});

describe('NUL bytes in the login forms', () => {
  test('email and agent number with NUL bytes are refused as wrong input, never a 500', async () => {
    const before = log.lines.length;
    const flow = new LoginFlow(app, rp);
    await flow.startAuthorization();
    for (const [step, form] of [
      ['password', { email: 'anna\u0000@example.com', password: 'x\u0000y' }],
      ['password', { email: '\u0000', password: '\u0000' }],
      ['agent', { agent_number: '60/123/4567\u0000', email: 'anna@example.com\u0000' }],
      ['agent', { agent_number: '60\u0000123\u00004567', email: 'anna@example.com' }],
    ] as const) {
      const res = await flow.browser.post(`/interaction/${flow.uid}/${step}`, form);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect(log.lines.slice(before).join('\n')).not.toContain('"level":50');
  });
});

describe('when a query fails, the log names the error by its code only', () => {
  // A second app whose schema an operator has broken: real Postgres errors, no mocks.
  const brokenLog = new LogCapture();
  let broken: TestApp;
  let brokenRp: RelyingParty;
  const entries = (requestId: string) => brokenLog.entries().filter((e) => e.requestId === requestId && e.level === 50);

  beforeAll(async () => {
    // No client cache: /auth must read the clients table that a test renames away.
    broken = await startTestApp({ LOG_LEVEL: 'info', CLIENT_CACHE_SECONDS: '0' }, { logDestination: brokenLog });
    brokenRp = await registerRelyingParty(broken);
  });
  afterAll(() => broken?.close());

  test('a pforte page (the password form) logs the SQLSTATE, not the SQL or the driver message', async () => {
    const flow = new LoginFlow(broken, brokenRp);
    await flow.startAuthorization();
    await broken.runtime.db.raw('alter table accounts rename column email to email_moved');
    try {
      const res = await flow.browser.post(`/interaction/${flow.uid}/password`, { email: 'a@example.com', password: 'whatever-it-is' });
      expect(res.status).toBe(500);
      expect(res.text).not.toMatch(/email_moved|select|column/i);
      const [entry] = entries(res.headers['x-request-id']!);
      expect(entry).toMatchObject({ msg: 'request failed', err: { name: 'DatabaseError', code: '42703' } });
      expect(entry!.err).not.toHaveProperty('message');
    } finally {
      await broken.runtime.db.raw('alter table accounts rename column email_moved to email');
    }
    expectNoSqlOrDriverText(brokenLog.text());
  });

  test('a provider endpoint (/auth) logs the SQLSTATE, not the SQL or the driver message', async () => {
    await broken.runtime.db.raw('alter table clients rename to clients_moved');
    try {
      const res = await new Browser(broken.url).get((await new LoginFlow(broken, brokenRp).authorizationUrl()).href);
      expect(res.status).toBe(500);
      expect(res.text).not.toMatch(/clients_moved|select|relation/i);
      const [entry] = entries(res.headers['x-request-id']!);
      expect(entry).toMatchObject({ msg: 'provider error', err: { name: 'DatabaseError', code: '42P01' } });
      expect(entry!.err).not.toHaveProperty('message');
    } finally {
      await broken.runtime.db.raw('alter table clients_moved rename to clients');
    }
    expectNoSqlOrDriverText(brokenLog.text());
  });
});
