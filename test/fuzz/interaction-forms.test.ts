import { afterAll, beforeAll, describe, test } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { extractTan } from '../helpers/smtp-capture.js';
import { fuzzForm, oneOf, withValues, type FormState, type FormTarget } from './form-targets.js';
import { checkCase, cookieFor, expectRejectedWithoutStateChange, PROPERTY_TIMEOUT_MS, report, runProperty, startFuzzApp, type FuzzApp } from './harness.js';
import { encodedValue, malformedFormBody, parameterSet } from './hostile-input.js';

/**
 * Property-based fuzz of the hosted login pages (issue 7): password, agent login, TAN,
 * resend, "continue without confirmation", new password, consent and abort, each reached
 * the way a person reaches it (a live interaction with its cookies).
 */

const PASSWORD = 'Sichere-Passw0rt!';
const NEW_PASSWORD = 'Neues-Passw0rt!2';

let fuzz: FuzzApp;
let rp: RelyingParty;
let thirdParty: RelyingParty;
let lenient: RelyingParty;
let counter = 0;

beforeAll(async () => {
  fuzz = await startFuzzApp({ TAN_RESEND_COOLDOWN_SECONDS: '0', TAN_MAX_SENDS_PER_HOUR: '1000' });
  const scopes = ['openid', 'email', 'profile', 'agent'] as const;
  rp = await registerRelyingParty(fuzz.app, { scopes: [...scopes] });
  thirdParty = await registerRelyingParty(fuzz.app, { scopes: [...scopes], firstParty: false });
  lenient = await registerRelyingParty(fuzz.app, { scopes: [...scopes], acr: ['urn:pforte:loa:0', 'urn:pforte:loa:1', 'urn:pforte:loa:2'], minAcr: 'urn:pforte:loa:0', defaultAcr: 'urn:pforte:loa:1' });
});
afterAll(async () => {
  if (fuzz) report(fuzz, 'interaction forms');
  await fuzz?.app.close();
});

/** A fresh account for each prepared state, so lockouts and TAN limits never carry over. */
async function newAccount({ withPassword = true } = {}) {
  counter += 1;
  const digits = String(counter).padStart(4, '0');
  const email = `fuzz${digits}@example.com`;
  const account = await fuzz.app.services.accounts.create({ email, agentNumber: `70/100/${digits}`, ...(withPassword ? { password: PASSWORD } : {}) });
  return { ...account, email, agentNumber: `70/100/${digits}` };
}

function newFlow(party = rp): LoginFlow {
  return new LoginFlow(fuzz.app, party, new Browser(fuzz.app.url, { 'Accept-Language': 'en' }));
}

function stateAt(flow: LoginFlow, step: string, values?: Record<string, string>): FormState {
  const path = `/interaction/${flow.uid}/${step}`;
  return { path, cookie: cookieFor(flow.browser, path), values };
}

/** The TAN mailed last to `email` (the dev outbox: no SMTP_URL in this app). */
function lastTanTo(email: string): string {
  const mail = fuzz.app.services.outbox!.list().find((m) => m.to === email);
  if (!mail) throw new Error(`no TAN mailed to ${email}`);
  return extractTan(mail);
}

/** An agent journey on the TAN page, with the TAN that was mailed. */
async function atTanPage(party = rp) {
  const agent = await newAccount({ withPassword: false });
  const flow = newFlow(party);
  await flow.startAuthorization({ login_method: 'agent' });
  await flow.submit('agent', { agent_number: agent.agentNumber, email: agent.email });
  return { flow, tan: lastTanTo(agent.email) };
}

const passwordForm: FormTarget = {
  name: 'password',
  valid: { email: 'PLACEHOLDER_EMAIL', password: 'PLACEHOLDER_PASSWORD', remember: 'on', trust: 'on' },
  extraNames: ['agent_number', 'tan', 'csrf'],
  async prepare() {
    const account = await newAccount();
    const flow = newFlow();
    await flow.startAuthorization();
    return stateAt(flow, 'password', { PLACEHOLDER_EMAIL: account.email, PLACEHOLDER_PASSWORD: PASSWORD });
  },
};

const agentForm: FormTarget = {
  name: 'agent',
  valid: { agent_number: 'PLACEHOLDER_AGENT', email: 'PLACEHOLDER_EMAIL', remember: 'on', trust: 'on' },
  extraNames: ['password', 'tan'],
  async prepare() {
    const agent = await newAccount({ withPassword: false });
    const flow = newFlow();
    await flow.startAuthorization({ login_method: 'agent' });
    return stateAt(flow, 'agent', { PLACEHOLDER_AGENT: agent.agentNumber, PLACEHOLDER_EMAIL: agent.email });
  },
};

const tanForm: FormTarget = {
  name: 'tan',
  valid: { tan: 'PLACEHOLDER_TAN', trust: 'on' },
  extraNames: ['email', 'remember'],
  async prepare() {
    const { flow, tan } = await atTanPage();
    return stateAt(flow, 'tan', { PLACEHOLDER_TAN: tan });
  },
};

const resendForm: FormTarget = {
  name: 'tan/resend',
  valid: {},
  extraNames: ['tan', 'email'],
  async prepare() {
    return stateAt((await atTanPage()).flow, 'tan/resend');
  },
};

const unconfirmedForm: FormTarget = {
  name: 'unconfirmed',
  valid: {},
  extraNames: ['tan', 'acr'],
  async prepare() {
    return stateAt((await atTanPage(lenient)).flow, 'unconfirmed');
  },
};

const newPasswordForm: FormTarget = {
  name: 'new-password',
  valid: { password: NEW_PASSWORD, confirmation: NEW_PASSWORD },
  extraNames: ['email', 'current_password'],
  async prepare() {
    const account = await newAccount({ withPassword: false });
    const initial = await fuzz.app.services.onboarding.issueInitialPassword(account);
    const flow = newFlow();
    await flow.startAuthorization();
    await flow.submitPassword(account.email, initial);
    return stateAt(flow, 'new-password');
  },
};

/** Signed in with a password at a third-party client: the consent page is the step. */
async function atConsent(): Promise<LoginFlow> {
  const account = await newAccount();
  const flow = newFlow(thirdParty);
  await flow.startAuthorization();
  await flow.submitPassword(account.email, PASSWORD);
  if (flow.callbackUrl) throw new Error('expected the consent step, the flow ended at the callback');
  return flow;
}

const consentForm: FormTarget = {
  name: 'consent',
  valid: {},
  extraNames: ['scope', 'claims', 'grant'],
  async prepare() {
    return stateAt(await atConsent(), 'consent');
  },
};

const abortForm: FormTarget = {
  name: 'abort',
  valid: {},
  extraNames: ['error', 'error_description'],
  async prepare() {
    const flow = newFlow();
    await flow.startAuthorization();
    return stateAt(flow, 'abort');
  },
};

const FORMS = [passwordForm, agentForm, tanForm, resendForm, unconfirmedForm, newPasswordForm, consentForm, abortForm];

describe('fuzz: hosted login forms', () => {
  for (const form of FORMS) {
    test(`POST /interaction/:uid/${form.name}`, () => fuzzForm(fuzz, form), PROPERTY_TIMEOUT_MS);
  }

  test('GET /interaction/:uid with fuzzed query parameters', async () => {
    let state: FormState | undefined;
    await runProperty(parameterSet({ method: 'agent' }, ['ui_locales', 'uid', 'prompt']), async (params) => {
      state ??= await passwordForm.prepare();
      const path = `${state.path.replace(/\/password$/, '')}?${params.encoded}`;
      const request = { method: 'GET' as const, path };
      checkCase(fuzz, request, await fuzz.send(request, state.cookie));
    });
  }, PROPERTY_TIMEOUT_MS);

  test('fuzzed interaction ids in the path, with a live interaction cookie', async () => {
    const state = await passwordForm.prepare();
    await runProperty(encodedValue.map((v) => v.slice(0, 3000)), async (uid) => {
      for (const request of [
        { method: 'GET' as const, path: `/interaction/${uid}` },
        { method: 'POST' as const, path: `/interaction/${uid}/password`, body: withValues({ contentType: 'application/x-www-form-urlencoded', body: 'email=PLACEHOLDER_EMAIL&password=x', shape: 'fuzzed uid' }, state.values) },
      ]) {
        checkCase(fuzz, request, await fuzz.send(request, state.cookie));
      }
    });
  }, PROPERTY_TIMEOUT_MS);

  test('malformed bodies are refused and change nothing (no row, no audit event, no Redis key)', async () => {
    const prepared = [];
    for (const form of FORMS) prepared.push({ form, state: await form.prepare() });
    const cases = oneOf(prepared).chain(({ form, state }) => malformedFormBody(form.valid).map((body) => ({ state, body })));
    await expectRejectedWithoutStateChange(fuzz, cases, async ({ state, body }) => {
      const request = { method: 'POST' as const, path: state.path, body: withValues(body, state.values) };
      return { request, response: await fuzz.send(request, state.cookie) };
    });
  }, PROPERTY_TIMEOUT_MS);
});
