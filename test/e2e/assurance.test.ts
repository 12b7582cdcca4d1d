import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const LOA0 = 'urn:pforte:loa:0';
const LOA1 = 'urn:pforte:loa:1';
const LOA2 = 'urn:pforte:loa:2';
const PASSWORD = 'Sichere-Passw0rt!';

let mail: SmtpCapture;
let app: TestApp;
let rp: RelyingParty;
let counter = 0;

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({ SMTP_URL: mail.url, TAN_RESEND_COOLDOWN_SECONDS: '0', TAN_MAX_SENDS_PER_HOUR: '1000', LOCKOUT_THRESHOLD: '50' });
  rp = await registerRelyingParty(app);
});
afterAll(async () => {
  await app?.close();
  await mail?.close();
});
beforeEach(() => mail.clear());

async function createPerson() {
  counter += 1;
  const digits = String(counter).padStart(4, '0');
  const email = `person${digits}@example.com`;
  const account = await app.services.accounts.create({ email, password: PASSWORD, agentNumber: `70/100/${digits}` });
  return { id: account.id, email, agentNumber: `70/100/${digits}` };
}

const newBrowser = () => new Browser(app.url, { 'Accept-Language': 'en', 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' });

/** A browser with a password session (loa:1) at the default relying party. */
async function passwordSession(person: { email: string }, party = rp) {
  const flow = new LoginFlow(app, party, newBrowser());
  await flow.startAuthorization({ ui_locales: 'en' });
  await flow.submitPassword(person.email, PASSWORD);
  const claims = (await flow.finishAtCallback()).claims()!;
  expect(claims.acr).toBe(LOA1);
  return Object.assign(flow.browser, { authTime: claims.auth_time as number });
}

/** Follows redirects through pforte (interaction GETs included) until a page or the RP. */
async function settle(flow: LoginFlow, location: string): Promise<{ page?: string; callback?: string }> {
  let next = location;
  for (let hops = 0; hops < 10; hops += 1) {
    if (next.startsWith(flow.rp.redirectUri)) return { callback: next };
    const res = await flow.browser.get(next);
    if (res.status === 200) return { page: res.text };
    expect([302, 303]).toContain(res.status);
    next = new URL(res.headers.location!, app.url).href;
    const uid = /\/interaction\/([^/?#]+)$/.exec(new URL(next).pathname)?.[1];
    if (uid) flow.uid = uid;
    if (next.startsWith(flow.rp.redirectUri)) flow.callbackUrl = next;
  }
  throw new Error('too many redirects');
}

test('discovery advertises the acr ladder', async () => {
  const res = await newBrowser().get('/.well-known/openid-configuration');
  expect(res.body.acr_values_supported).toEqual([LOA0, LOA1, LOA2]);
});

describe('step-up', () => {
  test('a loa:1 session asked for loa:2 sees only the TAN page, then gets loa:2', async () => {
    const person = await createPerson();
    const browser = await passwordSession(person);
    const flow = new LoginFlow(app, rp, browser);
    const { page } = await settle(flow, await flow.startAuthorization({ acr_values: LOA2, ui_locales: 'en' }));
    expect(page).toContain('>TAN</label>');
    expect(page).not.toContain('type="password"');
    await flow.submit('tan', { tan: await mail.lastTanFor(person.email) });
    const claims = (await flow.finishAtCallback()).claims()!;
    expect(claims.acr).toBe(LOA2);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    // The sign-in time stays the password's: max_age and the session limit count from it.
    expect(claims.auth_time).toBe(browser.authTime);
  });

  test('a step-up that cannot add anything signs nobody in again', async () => {
    const person = await createPerson();
    const flow = new LoginFlow(app, rp, newBrowser());
    await flow.startAuthorization({ login_method: 'agent' });
    await flow.submit('agent', { agent_number: person.agentNumber, email: person.email });
    await flow.submit('tan', { tan: await mail.lastTanFor(person.email) });
    const first = (await flow.finishAtCallback()).claims()!;
    expect(first.amr).toEqual(['otp']);
    mail.clear();
    // A voluntary loa:2 cannot be reached by an agent session: the client's level, no page, no mail.
    const again = new LoginFlow(app, rp, flow.browser);
    const { callback } = await settle(again, await again.startAuthorization({ acr_values: LOA2 }));
    expect(callback).toBeDefined();
    const claims = (await again.finishAtCallback()).claims()!;
    expect(claims.acr).toBe(LOA1);
    expect(claims.auth_time).toBe(first.auth_time);
    expect(mail.countTo(person.email)).toBe(0);
  });

  test('on a trusted device the step-up shows no page at all and amr names the device', async () => {
    const person = await createPerson();
    const browser = await passwordSession(person);
    const first = new LoginFlow(app, rp, browser);
    await settle(first, await first.startAuthorization({ acr_values: LOA2 }));
    await first.submit('tan', { tan: await mail.lastTanFor(person.email), trust: 'on' });
    await first.finishAtCallback();

    // A new browser session on the same (trusted) device: password, then loa:2 silently.
    const again = new LoginFlow(app, rp, browser);
    await again.startAuthorization({ prompt: 'login' });
    await again.submitPassword(person.email, PASSWORD);
    await again.finishAtCallback();
    mail.clear();
    const stepUp = new LoginFlow(app, rp, browser);
    const { callback } = await settle(stepUp, await stepUp.startAuthorization({ acr_values: LOA2 }));
    expect(callback).toBeDefined();
    expect(mail.countTo(person.email)).toBe(0);
    const claims = (await stepUp.finishAtCallback()).claims()!;
    expect(claims.acr).toBe(LOA2);
    expect(claims.amr).toEqual(['pwd', 'device', 'mfa']);
  });

  test('an agent session at loa:0 asked for loa:1 gets the TAN', async () => {
    const person = await createPerson();
    const lenient = await registerRelyingParty(app, { acr: [LOA0, LOA1, LOA2], minAcr: LOA0, defaultAcr: LOA0 });
    const flow = new LoginFlow(app, lenient, newBrowser());
    await flow.startAuthorization({ login_method: 'agent' });
    await flow.submit('agent', { agent_number: person.agentNumber, email: person.email });
    await flow.submit('unconfirmed', {});
    expect((await flow.finishAtCallback()).claims()!.acr).toBe(LOA0);

    const stepUp = new LoginFlow(app, lenient, flow.browser);
    const { page } = await settle(stepUp, await stepUp.startAuthorization({ acr_values: LOA1 }));
    expect(page).toContain('>TAN</label>');
    await stepUp.submit('tan', { tan: await mail.lastTanFor(person.email) });
    const claims = (await stepUp.finishAtCallback()).claims()!;
    expect(claims.acr).toBe(LOA1);
    expect(claims.amr).toEqual(['otp']);
  });

  test('consent is not asked again when a third-party client steps up', async () => {
    const person = await createPerson();
    const thirdParty = await registerRelyingParty(app, { firstParty: false });
    const flow = new LoginFlow(app, thirdParty, newBrowser());
    await flow.startAuthorization({ ui_locales: 'en' });
    await flow.submitPassword(person.email, PASSWORD);
    await flow.submit('consent', {});
    await flow.finishAtCallback();
    const stepUp = new LoginFlow(app, thirdParty, flow.browser);
    await settle(stepUp, await stepUp.startAuthorization({ acr_values: LOA2 }));
    await stepUp.submit('tan', { tan: await mail.lastTanFor(person.email) });
    expect(stepUp.callbackUrl).toBeDefined();
    expect((await stepUp.finishAtCallback()).claims()!.acr).toBe(LOA2);
  });
});

describe('fresh authentication and prompt=none', () => {
  test('prompt=none with an insufficient session returns login_required', async () => {
    const person = await createPerson();
    const browser = await passwordSession(person);
    const flow = new LoginFlow(app, rp, browser);
    const target = await flow.startAuthorization({ prompt: 'none', acr_values: LOA2 });
    expect(new URL(target).searchParams.get('error')).toBe('login_required');
  });

  test('prompt=login and max_age=0 ask for the password again', async () => {
    const person = await createPerson();
    const browser = await passwordSession(person);
    for (const params of [{ prompt: 'login' }, { max_age: '0' }] as Record<string, string>[]) {
      const flow = new LoginFlow(app, rp, browser);
      const { page } = await settle(flow, await flow.startAuthorization({ ...params, ui_locales: 'en' }));
      expect(page).toContain('type="password"');
      await flow.submitPassword(person.email, PASSWORD);
      expect((await flow.finishAtCallback()).claims()!.acr).toBe(LOA1);
    }
  });
});

describe('voluntary and essential requests', () => {
  test('acr_values=1 2 (unknown values) is a normal login at the client default', async () => {
    const person = await createPerson();
    const flow = new LoginFlow(app, rp, newBrowser());
    await flow.startAuthorization({ acr_values: '1 2' });
    await flow.submitPassword(person.email, PASSWORD);
    expect((await flow.finishAtCallback()).claims()!.acr).toBe(LOA1);
  });

  test('an acr the client may not use is ignored', async () => {
    const person = await createPerson();
    const loa1Only = await registerRelyingParty(app, { acr: [LOA1], defaultAcr: LOA1 });
    const flow = new LoginFlow(app, loa1Only, newBrowser());
    await flow.startAuthorization({ acr_values: LOA2 });
    await flow.submitPassword(person.email, PASSWORD);
    expect(flow.callbackUrl).toBeDefined();
    expect((await flow.finishAtCallback()).claims()!.acr).toBe(LOA1);
  });

  test('an essential acr that fails (TAN wrong five times) ends in unmet_authentication_requirements', async () => {
    const person = await createPerson();
    const flow = new LoginFlow(app, rp, newBrowser());
    await flow.startAuthorization({ claims: JSON.stringify({ id_token: { acr: { essential: true, value: LOA2 } } }) });
    await flow.submitPassword(person.email, PASSWORD);
    const tan = await mail.lastTanFor(person.email);
    const wrong = tan === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i += 1) await flow.submit('tan', { tan: wrong }, 400);
    await flow.submit('tan', { tan: wrong });
    expect(flow.callbackParams().get('error')).toBe('unmet_authentication_requirements');
  });

  test('an essential acr pforte cannot reach is refused at once, with or without a session', async () => {
    const anonymous = new LoginFlow(app, rp, newBrowser());
    const refused = await anonymous.startAuthorization({ claims: JSON.stringify({ id_token: { acr: { essential: true, value: 'urn:other:gold' } } }) });
    expect(new URL(refused).searchParams.get('error')).toBe('unmet_authentication_requirements');
    const flow = new LoginFlow(app, rp, newBrowser());
    const person = await createPerson();
    await passwordSession(person).then((browser) => Object.assign(flow, { browser }));
    const target = await flow.startAuthorization({ claims: JSON.stringify({ id_token: { acr: { essential: true, values: ['urn:other:gold'] } } }) });
    expect(new URL(target).searchParams.get('error')).toBe('unmet_authentication_requirements');
  });

  test('an essential acr that is met gives exactly that level', async () => {
    const person = await createPerson();
    const flow = new LoginFlow(app, rp, newBrowser());
    await flow.startAuthorization({ claims: JSON.stringify({ id_token: { acr: { essential: true, values: [LOA2] } } }) });
    await flow.submitPassword(person.email, PASSWORD);
    await flow.submit('tan', { tan: await mail.lastTanFor(person.email) });
    expect((await flow.finishAtCallback()).claims()!.acr).toBe(LOA2);
  });

  test('a client with --no-device-shortcut asks for the TAN despite a trusted device', async () => {
    const person = await createPerson();
    const strict = await registerRelyingParty(app, { minAcr: LOA2, defaultAcr: LOA2, deviceShortcut: false });
    const browser = await passwordSession(person);
    const trusting = new LoginFlow(app, rp, browser);
    await settle(trusting, await trusting.startAuthorization({ acr_values: LOA2 }));
    await trusting.submit('tan', { tan: await mail.lastTanFor(person.email), trust: 'on' });
    await trusting.finishAtCallback();
    mail.clear();
    const flow = new LoginFlow(app, strict, browser);
    await flow.startAuthorization({ prompt: 'login' });
    const next = await flow.submitPassword(person.email, PASSWORD);
    expect(next.location).toMatch(/\/interaction\//);
    expect(mail.countTo(person.email)).toBe(1);
  });
});

describe('hostile assurance parameters', () => {
  /** The error a relying party would receive for this authorization request. */
  async function errorFor(params: Record<string, string>): Promise<string | null> {
    const flow = new LoginFlow(app, rp, newBrowser());
    const res = await flow.browser.get((await flow.authorizationUrl(params)).href);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location!, app.url);
    return location.href.startsWith(rp.redirectUri) ? location.searchParams.get('error') : null;
  }

  test('hundreds of acr values and very long strings are ignored like any unknown value', async () => {
    expect(await errorFor({ acr_values: Array.from({ length: 500 }, (_, i) => `urn:x:${i}`).join(' ') })).toBeNull();
    expect(await errorFor({ acr_values: `urn:${'x'.repeat(5000)}` })).toBeNull();
  });

  test('a claims parameter that is not JSON, not an object, or badly typed is invalid_request', async () => {
    for (const claims of ['not json', '"a string"', '[1,2]', JSON.stringify({ id_token: { acr: { essential: true, values: 'x' } } })]) {
      expect(await errorFor({ claims })).toBe('invalid_request');
    }
  });

  test('a deeply nested claims parameter does no harm', async () => {
    const deep = JSON.stringify(Array.from({ length: 200 }).reduce<object>((inner) => ({ a: inner }), {}));
    expect([null, 'invalid_request']).toContain(await errorFor({ claims: deep }));
    expect((await newBrowser().get('/healthz')).status).toBe(200);
  });
});
