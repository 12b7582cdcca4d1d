import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const PASSWORD = 'Sichere-Passw0rt!';
let app: TestApp;
let rp: RelyingParty;
let loa0: RelyingParty;
let mail: SmtpCapture;
let ipCounter = 0;

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({
    SMTP_URL: mail.url,
    TRUST_PROXY: 'true',
    RATE_LIMIT_PASSWORD_PER_IP_PER_MINUTE: '4',
    RATE_LIMIT_TAN_PER_IP_PER_MINUTE: '3',
    RATE_LIMIT_AGENT_PER_IP_PER_MINUTE: '3',
    LOCKOUT_THRESHOLD: '50',
    TAN_RESEND_COOLDOWN_SECONDS: '0',
    TAN_MAX_SENDS_PER_HOUR: '1000',
  });
  rp = await registerRelyingParty(app);
  loa0 = await registerRelyingParty(app, { acr: ['urn:pforte:loa:0', 'urn:pforte:loa:1', 'urn:pforte:loa:2'], minAcr: 'urn:pforte:loa:0', defaultAcr: 'urn:pforte:loa:1' });
});
afterAll(async () => {
  await app?.close();
  await mail?.close();
});

function browserAt(ip = `192.0.2.${++ipCounter}`, language = 'en'): Browser {
  return new Browser(app.url, { 'Accept-Language': language, 'X-Forwarded-For': ip });
}

async function loginPage(browser: Browser, relyingParty = rp, params: Record<string, string> = {}): Promise<LoginFlow> {
  const flow = new LoginFlow(app, relyingParty, browser);
  await flow.startAuthorization(params);
  return flow;
}

test('password posts over the per-IP limit get 429 with Retry-After before any password check; other IPs go on', async () => {
  const account = await app.services.accounts.create({ email: 'flooded@example.com', password: PASSWORD });
  const attacker = browserAt();
  const flow = await loginPage(attacker);
  for (let i = 0; i < 4; i += 1) await flow.submit('password', { email: account.email, password: 'Wrong-Passw0rd!' }, 401);
  const refused = await attacker.post(`/interaction/${flow.uid}/password`, { email: account.email, password: PASSWORD });
  expect(refused.status).toBe(429);
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
  expect(refused.text).toContain(`Please wait ${refused.headers['retry-after']} seconds`);
  // Refused before the password was looked at: only the four failures were counted.
  expect(await app.services.lockout.failures(account.id, 'pwd')).toBe(4);

  const owner = await loginPage(browserAt());
  await owner.submitPassword(account.email, PASSWORD);
  expect((await owner.finishAtCallback()).claims()!.sub).toBe(account.id);
});

test('the 429 page speaks the browser language', async () => {
  const attacker = browserAt(undefined, 'de');
  const flow = await loginPage(attacker);
  for (let i = 0; i < 4; i += 1) await flow.submit('password', { email: 'x@example.com', password: 'Wrong-Passw0rd!' }, 401);
  const refused = await attacker.post(`/interaction/${flow.uid}/password`, { email: 'x@example.com', password: 'Wrong-Passw0rd!' });
  expect(refused.status).toBe(429);
  expect(refused.text).toContain('Zu viele Versuche aus Ihrem Netzwerk');
});

test('successful sign-ins give their request back: an office behind one address is limited by failures only', async () => {
  const account = await app.services.accounts.create({ email: 'office@example.com', password: PASSWORD });
  const office = `192.0.2.${++ipCounter}`;
  for (let i = 0; i < 6; i += 1) {
    const colleague = await loginPage(browserAt(office));
    await colleague.submitPassword(account.email, PASSWORD);
  }
});

test('TAN posts over the per-IP limit get 429', async () => {
  const account = await app.services.accounts.create({ email: 'tan.flood@example.com', password: PASSWORD, agentNumber: '60/222/3333' });
  const browser = browserAt();
  const flow = await loginPage(browser);
  await flow.submit('agent', { agent_number: '60/222/3333', email: account.email });
  for (let i = 0; i < 3; i += 1) await flow.submit('tan', { tan: '12' }, 400);
  expect((await browser.post(`/interaction/${flow.uid}/tan`, { tan: await mail.lastTanFor(account.email) })).status).toBe(429);
});

test('agent-number lookups are limited per IP, whether the numbers exist or not (loa:0 trade-off, README)', async () => {
  await app.services.accounts.create({ email: 'agent.known@example.com', password: PASSWORD, agentNumber: '60/333/4444' });
  const prober = browserAt();
  // The trade-off kept: "Continue without email confirmation" shows for numbers that exist.
  const pages: string[] = [];
  for (const number of ['60/333/4444', '60/333/4445', '60/333/4446']) {
    const flow = await loginPage(prober, loa0);
    await flow.submit('agent', { agent_number: number, email: 'guess@example.com' });
    pages.push(await flow.showPage());
  }
  expect(pages.map((page) => page.includes('Continue without email confirmation'))).toEqual([true, false, false]);
  const flow = await loginPage(prober, loa0);
  const refused = await prober.post(`/interaction/${flow.uid}/agent`, { agent_number: '60/333/4447', email: 'guess@example.com' });
  expect(refused.status).toBe(429);
  expect(refused.headers['retry-after']).toBeDefined();
});

test('addresses a client puts in X-Forwarded-For itself count for nothing: only the one the proxy appended', async () => {
  const real = `192.0.2.${++ipCounter}`;
  const flows: LoginFlow[] = [];
  for (let i = 0; i < 5; i += 1) {
    const flow = await loginPage(new Browser(app.url, { 'X-Forwarded-For': `203.0.113.${i}, ${real}` }));
    flows.push(flow);
  }
  const answers: number[] = [];
  for (const [i, flow] of flows.entries()) {
    answers.push((await flow.browser.post(`/interaction/${flow.uid}/password`, { email: `spoof${i}@example.com`, password: 'Wrong-Passw0rd!' })).status);
  }
  expect(answers).toEqual([401, 401, 401, 401, 429]);
});
