import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import * as oidc from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { fuzzForm, withValues, type FormState, type FormTarget } from './form-targets.js';
import { checkCase, cookieFor, expectRejectedWithoutStateChange, PROPERTY_TIMEOUT_MS, report, runProperty, startFuzzApp, type FuzzApp, type FuzzRequest } from './harness.js';
import { encodedValue, formBody, malformedFormBody, parameterSet } from './hostile-input.js';

/**
 * Property-based fuzz of the forms outside a login journey (issue 7): the logout
 * confirmation, activation links, and the account page's device revocation, each in the
 * state a person reaches it in (a signed-in session with its CSRF token, a live link).
 */

const PASSWORD = 'Sichere-Passw0rt!';
const NEW_PASSWORD = 'Neues-Passw0rt!2';

let fuzz: FuzzApp;
let rp: RelyingParty;
let counter = 0;

beforeAll(async () => {
  fuzz = await startFuzzApp();
  rp = await registerRelyingParty(fuzz.app);
});
afterAll(async () => {
  if (fuzz) report(fuzz, 'account, activation and logout forms');
  await fuzz?.app.close();
});

async function newAccount(status?: 'pending') {
  counter += 1;
  return fuzz.app.services.accounts.create({ email: `account${counter}@example.com`, ...(status ? { status } : { password: PASSWORD }) });
}

/** A browser signed in with a password (loa:1), with the tokens its relying party got. */
async function signedIn() {
  const account = await newAccount();
  const flow = new LoginFlow(fuzz.app, rp, new Browser(fuzz.app.url, { 'Accept-Language': 'en' }));
  await flow.startAuthorization();
  await flow.submitPassword(account.email, PASSWORD);
  return { account, flow, tokens: await flow.finishAtCallback() };
}

/** The account page with two trusted devices, and its CSRF token. */
async function atAccountPage() {
  const { account, flow } = await signedIn();
  for (const ua of ['Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0', 'Mozilla/5.0 (Windows NT 10.0) Chrome/131.0.0.0']) {
    await fuzz.app.services.devices.trust(account.id, ua, {});
  }
  const page = await flow.browser.get('/account');
  expect(page.status).toBe(200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1]!;
  const [device] = await fuzz.app.runtime.db('trusted_devices').where({ account_id: account.id }).whereNull('revoked_at').select('id');
  return { flow, csrf, deviceId: device.id as string, cookie: cookieFor(flow.browser, '/account') };
}

const logoutConfirmation: FormTarget = {
  name: 'logout confirmation',
  valid: { xsrf: 'PLACEHOLDER_XSRF', logout: 'yes' },
  extraNames: ['id_token_hint', 'post_logout_redirect_uri', 'state'],
  async prepare(): Promise<FormState> {
    const { flow, tokens } = await signedIn();
    const page = await flow.browser.get(oidc.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token! }).href);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)![1]!;
    const path = /action="([^"]+)"/.exec(page.text)![1]!.replace(fuzz.app.url, '');
    return { path, cookie: cookieFor(flow.browser, path), values: { PLACEHOLDER_XSRF: xsrf } };
  },
};

const activation: FormTarget = {
  name: 'activation',
  valid: { password: NEW_PASSWORD, confirmation: NEW_PASSWORD },
  extraNames: ['token', 'email'],
  async prepare(): Promise<FormState> {
    const token = await fuzz.app.services.onboarding.activationLink(await newAccount('pending'));
    return { path: `/activate/${token}`, cookie: '' };
  },
};

describe('fuzz: logout confirmation and activation', () => {
  test('POST /session/end/confirm from a signed-in browser', () => fuzzForm(fuzz, logoutConfirmation), PROPERTY_TIMEOUT_MS);

  test('POST /activate/:token with a live link', async () => {
    // A 200 is the "password set" page: the link is used up, like a redirect elsewhere.
    let state: FormState | undefined;
    let used = 0;
    await runProperty(formBody(activation.valid, activation.extraNames), async (body) => {
      state ??= await activation.prepare();
      const request: FuzzRequest = { method: 'POST', path: state.path, body };
      const response = await fuzz.send(request);
      checkCase(fuzz, request, response);
      used += 1;
      if (response.status === 200 || used >= 20) {
        state = undefined;
        used = 0;
      }
    });
  }, PROPERTY_TIMEOUT_MS);

  test('GET and POST /activate/:token with fuzzed tokens', async () => {
    await runProperty(encodedValue.map((v) => v.slice(0, 3000)), async (token) => {
      for (const request of [
        { method: 'GET' as const, path: `/activate/${token}` },
        { method: 'POST' as const, path: `/activate/${token}`, body: { contentType: 'application/x-www-form-urlencoded', body: `password=${NEW_PASSWORD}&confirmation=${NEW_PASSWORD}`, shape: 'fuzzed token' } },
      ]) {
        checkCase(fuzz, request, await fuzz.send(request));
      }
    });
  }, PROPERTY_TIMEOUT_MS);
});

describe('fuzz: account page', () => {
  test('GET /account with fuzzed query parameters, signed in', async () => {
    const { cookie } = await atAccountPage();
    await runProperty(parameterSet({ done: 'devices_revoked' }, ['csrf', 'ui_locales']), async (params) => {
      const request: FuzzRequest = { method: 'GET', path: `/account?${params.encoded}` };
      checkCase(fuzz, request, await fuzz.send(request, cookie));
    });
  }, PROPERTY_TIMEOUT_MS);

  test('POST /account/devices/revoke-all with fuzzed bodies, signed in', async () => {
    await fuzzForm(fuzz, {
      name: 'revoke-all',
      valid: { csrf: 'PLACEHOLDER_CSRF' },
      extraNames: ['id', 'account_id'],
      async prepare() {
        const { csrf, cookie } = await atAccountPage();
        return { path: '/account/devices/revoke-all', cookie, values: { PLACEHOLDER_CSRF: csrf } };
      },
    });
  }, PROPERTY_TIMEOUT_MS);

  test('POST /account/devices/:id/revoke with fuzzed ids and bodies, signed in', async () => {
    let state: Awaited<ReturnType<typeof atAccountPage>> | undefined;
    let used = 0;
    const cases = fc.tuple(fc.option(encodedValue.map((v) => v.slice(0, 2000)), { nil: undefined }), formBody({ csrf: 'PLACEHOLDER_CSRF' }, ['id']));
    await runProperty(cases, async ([id, body]) => {
      state ??= await atAccountPage();
      const request: FuzzRequest = { method: 'POST', path: `/account/devices/${id ?? state.deviceId}/revoke`, body: withValues(body, { PLACEHOLDER_CSRF: state.csrf }) };
      const response = await fuzz.send(request, state.cookie);
      checkCase(fuzz, request, response);
      used += 1;
      if (response.status === 303 || used >= 20) {
        state = undefined;
        used = 0;
      }
    });
  }, PROPERTY_TIMEOUT_MS);

  test('refused account, activation and logout posts change nothing', async () => {
    const account = await atAccountPage();
    const logout = await logoutConfirmation.prepare();
    const link = await activation.prepare();
    const accountForm = { path: '/account/devices/revoke-all', cookie: account.cookie, values: { PLACEHOLDER_CSRF: account.csrf } };
    const deviceForm = { path: `/account/devices/${account.deviceId}/revoke`, cookie: account.cookie, values: { PLACEHOLDER_CSRF: account.csrf } };
    const cases = fc.oneof(
      malformedFormBody({ csrf: 'PLACEHOLDER_CSRF' }).map((body) => ({ state: accountForm, body })),
      malformedFormBody({ csrf: 'PLACEHOLDER_CSRF' }).map((body) => ({ state: deviceForm, body })),
      // A well-formed post with someone else's (or no) CSRF token.
      formBody({ csrf: 'not-the-token' }).map((body) => ({ state: { ...accountForm, values: {} }, body })),
      // oidc-provider reads the logout form leniently (anything but logout=yes means "stay"), so
      // its refusals are tested with a wrong xsrf token rather than with malformed bodies.
      formBody({ xsrf: 'not-the-xsrf-token', logout: 'yes' }).map((body) => ({ state: { ...logout, values: {} }, body })),
      malformedFormBody(activation.valid).map((body) => ({ state: link, body })),
    );
    await expectRejectedWithoutStateChange(fuzz, cases, async ({ state, body }) => {
      const request: FuzzRequest = { method: 'POST', path: state.path, body: withValues(body, state.values) };
      return { request, response: await fuzz.send(request, state.cookie) };
    });
  }, PROPERTY_TIMEOUT_MS);
});
