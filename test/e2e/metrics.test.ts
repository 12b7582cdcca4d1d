import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const TOKEN = 'metrics-token-for-the-scraper-0123';
const PASSWORD = 'Sichere-Passw0rt!';

let mail: SmtpCapture;
let app: TestApp;
let rp: RelyingParty;

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({ SMTP_URL: mail.url, METRICS_TOKEN: TOKEN, LOCKOUT_THRESHOLD: '2' });
  rp = await registerRelyingParty(app, { scopes: ['openid', 'email', 'profile', 'agent'] });
});
afterAll(async () => {
  await app?.close();
  await mail?.close();
});

async function scrape(): Promise<string> {
  const res = await new Browser(app.url, { Authorization: `Bearer ${TOKEN}` }).get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  return res.text;
}

/** The value of one series, found by its name and labels (in any order). */
function valueOf(text: string, name: string, labels: Record<string, string> = {}): number {
  const line = text.split('\n').find((candidate) => {
    if (!candidate.startsWith(`${name}{`) && !candidate.startsWith(`${name} `)) return false;
    return Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`));
  });
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('/metrics', () => {
  test('needs the bearer token when METRICS_TOKEN is set', async () => {
    expect((await new Browser(app.url).get('/metrics')).status).toBe(401);
    expect((await new Browser(app.url, { Authorization: 'Bearer wrong' }).get('/metrics')).status).toBe(401);
    expect((await new Browser(app.url, { Authorization: `Basic ${TOKEN}` }).get('/metrics')).status).toBe(401);
    const text = await scrape();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
  });

  test('counts sign-ins, TANs, devices, tokens and lockouts; routes as patterns; no personal data', async () => {
    const email = 'messbar@example.com';
    const account = await app.services.accounts.create({ email, password: PASSWORD, agentNumber: '60/123/0077' });

    // Password: one failure, then a success; code exchange and a refresh.
    const flow = new LoginFlow(app, rp);
    await flow.startAuthorization();
    await flow.submit('password', { email, password: 'wrong-Passw0rt!' }, 401);
    await flow.submitPassword(email, PASSWORD);
    const tokens = await flow.finishAtCallback();
    await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);

    // Agent number + TAN: one wrong TAN, then the right one with "trust this device".
    const agent = new LoginFlow(app, rp);
    await agent.startAuthorization({ login_method: 'agent', ui_locales: 'en' });
    await agent.submit('agent', { agent_number: '60/123/0077', email });
    await agent.submit('tan', { tan: '000000' === (await mail.lastTanFor(email)) ? '111111' : '000000' }, 400);
    await agent.submit('tan', { tan: await mail.lastTanFor(email), trust: 'on' });
    await agent.finishAtCallback();

    // Two wrong passwords for another account lock it (LOCKOUT_THRESHOLD=2).
    await app.services.accounts.create({ email: 'gesperrt@example.com', password: PASSWORD });
    const locked = new LoginFlow(app, rp);
    await locked.startAuthorization();
    await locked.submit('password', { email: 'gesperrt@example.com', password: 'wrong-Passw0rt!' }, 401);
    await locked.submit('password', { email: 'gesperrt@example.com', password: 'wrong-Passw0rt!' }, 401);

    const text = await scrape();
    expect(valueOf(text, 'pforte_logins_total', { method: 'password', outcome: 'success' })).toBe(1);
    expect(valueOf(text, 'pforte_logins_total', { method: 'password', outcome: 'failure' })).toBe(3);
    expect(valueOf(text, 'pforte_logins_total', { method: 'agent', outcome: 'success' })).toBe(1);
    expect(valueOf(text, 'pforte_tans_total', { event: 'sent' })).toBe(1);
    expect(valueOf(text, 'pforte_tans_total', { event: 'failed' })).toBe(1);
    expect(valueOf(text, 'pforte_devices_total', { event: 'trusted' })).toBe(1);
    expect(valueOf(text, 'pforte_tokens_issued_total', { grant_type: 'authorization_code' })).toBe(2);
    expect(valueOf(text, 'pforte_tokens_issued_total', { grant_type: 'refresh_token' })).toBe(1);
    expect(valueOf(text, 'pforte_lockouts_total')).toBe(1);

    // Requests by route pattern and status, never by the path with its id.
    expect(valueOf(text, 'pforte_http_request_duration_seconds_count', { route: '/interaction/:uid/password', method: 'POST', status: '401' })).toBe(3);
    expect(valueOf(text, 'pforte_http_request_duration_seconds_count', { route: '/token', method: 'POST', status: '200' })).toBe(3);
    expect(valueOf(text, 'pforte_http_request_duration_seconds_count', { route: '/auth', method: 'GET', status: '303' })).toBe(3);
    for (const personal of [flow.uid!, agent.uid!, email, account.id, '60/123/0077', '127.0.0.1', rp.clientId]) {
      expect(text).not.toContain(personal);
    }
  });
});
