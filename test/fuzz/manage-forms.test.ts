import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { withValues } from './form-targets.js';
import { checkCase, cookieFor, expectRejectedWithoutStateChange, PROPERTY_TIMEOUT_MS, report, runProperty, startFuzzApp, type FuzzApp, type FuzzRequest } from './harness.js';
import { encodedValue, formBody, malformedFormBody, parameterSet } from './hostile-input.js';

/**
 * Property-based fuzz of /manage (SPEC 5), reached as a user manager at loa:2: the member
 * list's query, member ids in the path, the add-member form and every member action. One
 * session serves all cases (the forms never act on the manager's own account), so the
 * TAN is asked once.
 */

const PASSWORD = 'Sichere-Passw0rt!';
const LOA2 = 'urn:pforte:loa:2';
const MANAGER = 'fuzz.manager@example.com';
const ACTIONS = ['roles', 'block', 'unblock', 'unlock', 'revoke-devices', 'sign-out-everywhere', 'resend-activation'] as const;

let fuzz: FuzzApp;
let mail: SmtpCapture;
let rp: RelyingParty;
let session: { cookie: string; csrf: string };
let memberId: string;
let orgId: string;

beforeAll(async () => {
  mail = await startSmtpCapture();
  fuzz = await startFuzzApp({ SMTP_URL: mail.url });
  rp = await registerRelyingParty(fuzz.app);
  for (const name of ['user-manager', 'file-manager', 'full-access']) await fuzz.app.services.roles.create({ name });
  orgId = (await fuzz.app.services.organisations.create({ name: 'Fuzz Makler', grantableRoles: ['user-manager', 'file-manager'] })).id;
  await fuzz.app.services.accounts.create({ email: MANAGER, password: PASSWORD, name: 'Fuzz Manager', organisation: orgId, roles: ['user-manager'] });
  memberId = (await fuzz.app.services.accounts.create({ email: 'fuzz.member@example.com', status: 'pending', name: 'Fuzz Member', organisation: orgId, roles: ['file-manager'] })).id;
  const flow = new LoginFlow(fuzz.app, rp, new Browser(fuzz.app.url, { 'Accept-Language': 'en' }));
  await flow.startAuthorization({ acr_values: LOA2, ui_locales: 'en' });
  await flow.submitPassword(MANAGER, PASSWORD);
  await flow.submit('tan', { tan: await mail.lastTanFor(MANAGER) });
  expect((await flow.finishAtCallback()).claims()!.acr).toBe(LOA2);
  const page = await flow.browser.get('/manage/members/new');
  expect(page.status).toBe(200);
  session = { cookie: cookieFor(flow.browser, '/manage'), csrf: /name="csrf" value="([^"]+)"/.exec(page.text)![1]! };
}, 60_000);
afterAll(async () => {
  if (fuzz) report(fuzz, '/manage');
  await fuzz?.app.close();
  await mail?.close();
});

const addMember = () => ({ csrf: 'PLACEHOLDER_CSRF', organisation: orgId, name: 'Neu Mitglied', email: 'PLACEHOLDER_EMAIL', position: 'Broker', phone: '+49 30 123456', 'role.file-manager': 'on' });
let created = 0;

describe('fuzz: /manage pages', () => {
  test('GET /manage with fuzzed query parameters', async () => {
    await runProperty(parameterSet({ q: 'fuzz', page: '1' }, ['done', 'ui_locales', 'organisation']), async (params) => {
      const request: FuzzRequest = { method: 'GET', path: `/manage?${params.encoded}` };
      checkCase(fuzz, request, await fuzz.send(request, session.cookie));
    });
  }, PROPERTY_TIMEOUT_MS);

  test('GET /manage/members/:id and /manage/members/new with fuzzed ids and queries', async () => {
    const cases = fc.tuple(fc.option(encodedValue.map((v) => v.slice(0, 2000)), { nil: undefined }), parameterSet({ done: 'created' }, ['organisation']));
    await runProperty(cases, async ([id, params]) => {
      for (const request of [
        { method: 'GET' as const, path: `/manage/members/${id ?? memberId}?${params.encoded}` },
        { method: 'GET' as const, path: `/manage/members/new?${params.encoded}` },
      ]) {
        checkCase(fuzz, request, await fuzz.send(request, session.cookie));
      }
    });
  }, PROPERTY_TIMEOUT_MS);
});

describe('fuzz: /manage forms', () => {
  test('POST /manage/members (Add member) with fuzzed bodies', async () => {
    await runProperty(formBody(addMember(), ['status', 'password', 'agent_number', 'roles', 'role.full-access', 'organisation_id']), async (body) => {
      created += 1;
      const request: FuzzRequest = { method: 'POST', path: '/manage/members', body: withValues(body, { PLACEHOLDER_CSRF: session.csrf, PLACEHOLDER_EMAIL: `fuzz.new${created}@example.com` }) };
      checkCase(fuzz, request, await fuzz.send(request, session.cookie));
    });
  }, PROPERTY_TIMEOUT_MS);

  test('POST /manage/members/:id/<action> with fuzzed ids and bodies', async () => {
    const cases = fc.tuple(
      fc.constantFrom(...ACTIONS),
      fc.option(encodedValue.map((v) => v.slice(0, 2000)), { nil: undefined }),
      formBody({ csrf: 'PLACEHOLDER_CSRF', 'role.file-manager': 'on' }, ['role.user-manager', 'role.full-access', 'id', 'organisation']),
    );
    await runProperty(cases, async ([action, id, body]) => {
      const request: FuzzRequest = { method: 'POST', path: `/manage/members/${id ?? memberId}/${action}`, body: withValues(body, { PLACEHOLDER_CSRF: session.csrf }) };
      checkCase(fuzz, request, await fuzz.send(request, session.cookie));
    });
    // The manager's own session survived every case.
    expect((await fuzz.send({ method: 'GET', path: '/manage' }, session.cookie)).status).toBe(200);
  }, PROPERTY_TIMEOUT_MS);

  test('refused /manage posts change nothing', async () => {
    const cases = fc.oneof(
      malformedFormBody({ ...addMember(), email: 'refused.member@example.com' }).map((body) => ({ path: '/manage/members', body, csrf: session.csrf })),
      malformedFormBody({ csrf: 'PLACEHOLDER_CSRF', 'role.user-manager': 'on' }).map((body) => ({ path: `/manage/members/${memberId}/roles`, body, csrf: session.csrf })),
      // Well-formed posts without the session's CSRF token.
      fc.constantFrom(...ACTIONS).chain((action) => formBody({ csrf: 'PLACEHOLDER_CSRF' }).map((body) => ({ path: `/manage/members/${memberId}/${action}`, body, csrf: 'not-the-token' }))),
    );
    await expectRejectedWithoutStateChange(fuzz, cases, async ({ path, body, csrf }) => {
      const request: FuzzRequest = { method: 'POST', path, body: withValues(body, { PLACEHOLDER_CSRF: csrf }) };
      return { request, response: await fuzz.send(request, session.cookie) };
    });
  }, PROPERTY_TIMEOUT_MS);
});
