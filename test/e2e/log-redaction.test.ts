import { afterAll, beforeAll, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { LogCapture } from '../helpers/log-capture.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const PASSWORD = 'Geheimes-Passw0rt!';
const WRONG_PASSWORD = 'Falsches-Passw0rt!';
const NEW_PASSWORD = 'Neues-Geheim-Passw0rt!';

let mail: SmtpCapture;
let app: TestApp;
let rp: RelyingParty;
const log = new LogCapture();

beforeAll(async () => {
  mail = await startSmtpCapture();
  // The most talkative level an operator can choose: nothing secret even there.
  app = await startTestApp({ SMTP_URL: mail.url, LOG_LEVEL: 'trace' }, { logDestination: log });
  rp = await registerRelyingParty(app, { scopes: ['openid', 'email', 'profile', 'agent', 'offline_access'] });
});
afterAll(async () => {
  await app?.close();
  await mail?.close();
});

/** Every cookie value the browser holds (session, interaction, resume, trusted device). */
function cookieValues(browser: Browser): string[] {
  const jar = (browser.agent as unknown as { jar: { getCookies(access: object): Array<{ value: string }> } }).jar;
  return jar.getCookies({ domain: 'localhost', path: '/', secure: false, script: false }).map((cookie) => cookie.value).filter((value) => value.length >= 8);
}

test('every journey leaves request lines with id, route, status and duration, and not one secret in the log', async () => {
  const secrets: string[] = [PASSWORD, WRONG_PASSWORD, NEW_PASSWORD, rp.clientSecret!];

  // Password sign-in with one wrong password, code exchange, userinfo, refresh, introspection, revocation.
  const email = 'geheim@example.com';
  await app.services.accounts.create({ email, password: PASSWORD, agentNumber: '60/123/0099' });
  const flow = new LoginFlow(app, rp);
  await flow.startAuthorization({ scope: 'openid email profile offline_access' });
  await flow.submit('password', { email, password: WRONG_PASSWORD }, 401);
  await flow.submitPassword(email, PASSWORD);
  secrets.push(flow.callbackParams().get('code')!, flow.verifier);
  const tokens = await flow.finishAtCallback();
  secrets.push(tokens.access_token, tokens.refresh_token!, tokens.id_token!);
  await oidc.fetchUserInfo(rp.config, tokens.access_token, oidc.skipSubjectCheck);
  const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
  secrets.push(refreshed.access_token, refreshed.refresh_token!);
  await oidc.tokenIntrospection(rp.config, refreshed.access_token);
  await oidc.tokenRevocation(rp.config, refreshed.refresh_token!);
  secrets.push(...cookieValues(flow.browser));

  // Agent number + TAN (one wrong TAN), trusting the device; then the trusted device's shortcut.
  const agent = new LoginFlow(app, rp);
  await agent.startAuthorization({ login_method: 'agent', ui_locales: 'en' });
  await agent.submit('agent', { agent_number: '60/123/0099', email });
  const tan = await mail.lastTanFor(email);
  const wrongTan = tan === '123456' ? '654321' : '123456';
  await agent.submit('tan', { tan: wrongTan }, 400);
  await agent.submit('tan', { tan, trust: 'on' });
  secrets.push(tan, wrongTan, agent.callbackParams().get('code')!);
  secrets.push(...cookieValues(agent.browser));

  // Activation link: the token travels in the path.
  const pending = await app.services.accounts.create({ email: 'neu@example.com', status: 'pending' });
  const linkToken = await app.services.onboarding.activationLink(pending);
  secrets.push(linkToken);
  const activation = new Browser(app.url);
  await activation.get(`/activate/${linkToken}`);
  await activation.post(`/activate/${linkToken}`, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD });

  // Tokens sent where they do not belong: query strings and a bogus bearer.
  await new Browser(app.url, { Authorization: `Bearer ${tokens.access_token}` }).get(`/me?access_token=${tokens.access_token}`);

  const text = log.text();
  expect(log.lines.length).toBeGreaterThan(20);
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThanOrEqual(6);
    if (text.includes(secret)) throw new Error(`a secret reached the log: ${log.lines.find((line) => line.includes(secret))}`);
  }
  const requests = log.find('request');
  expect(requests.length).toBeGreaterThan(10);
  for (const entry of requests) {
    expect(entry).toEqual(expect.objectContaining({ requestId: expect.any(String), route: expect.any(String), status: expect.any(Number), ms: expect.any(Number) }));
  }
  expect(requests.some((entry) => entry.route === '/activate/:token' || entry.path === '/activate/[redacted]')).toBe(true);
});
