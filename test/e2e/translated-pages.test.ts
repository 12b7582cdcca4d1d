import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { rawKeysIn, unfilledPlaceholdersIn } from '../helpers/raw-keys.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// In each language, every page state shows texts, never a raw message key or an unfilled
// {placeholder}: login (both methods), their errors, the TAN page and each TAN error,
// consent, account (with a notice, and with a made-up one), help, error pages, set password.
const PASSWORD = 'Sichere-Passw0rt!';
const TTL_SECONDS = 600;
let mail: SmtpCapture;
let app: TestApp;
let rp: RelyingParty;
let thirdParty: RelyingParty;
let counter = 0;

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({
    SMTP_URL: mail.url,
    TAN_TTL_SECONDS: String(TTL_SECONDS),
    TAN_RESEND_COOLDOWN_SECONDS: '60',
    TAN_MAX_SENDS_PER_HOUR: '1000',
    LOCKOUT_THRESHOLD: '50',
    RATE_LIMIT_AGENT_PER_IP_PER_MINUTE: '10000',
    RATE_LIMIT_TAN_PER_IP_PER_MINUTE: '10000',
    RATE_LIMIT_PASSWORD_PER_IP_PER_MINUTE: '10000',
  });
  rp = await registerRelyingParty(app);
  thirdParty = await registerRelyingParty(app, { firstParty: false });
});
afterAll(async () => {
  await app?.close();
  await mail?.close();
});

async function createPerson() {
  counter += 1;
  const digits = String(counter).padStart(4, '0');
  const email = `words${digits}@example.com`;
  const account = await app.services.accounts.create({ email, password: PASSWORD, agentNumber: `60/777/${digits}` });
  return { account, email, agentNumber: `60/777/${digits}` };
}

describe.each(['de', 'en', 'nl', 'de-CH'])('pages in %s', (locale) => {
  const seen: Array<[string, string]> = [];
  const keep = (state: string, html: string) => {
    expect(html).toContain(`<html lang="${locale}">`);
    seen.push([state, html]);
  };

  test('show no raw key and no unfilled placeholder', async () => {
    const person = await createPerson();
    const browser = new Browser(app.url, { 'Accept-Language': locale });
    const flow = new LoginFlow(app, rp, browser);
    await flow.startAuthorization({ ui_locales: locale });
    keep('login-password', await flow.showPage());
    keep('login-password-required', (await flow.submit('password', {}, 400)).text);
    keep('login-password-invalid', (await flow.submit('password', { email: person.email, password: 'Wrong-Passw0rd!' }, 401)).text);
    keep('login-agent', (await browser.get(`/interaction/${flow.uid}?method=agent`)).text);
    keep('login-agent-errors', (await flow.submit('agent', { agent_number: 'x', email: 'y' }, 400)).text);
    await flow.submit('agent', { agent_number: person.agentNumber, email: person.email });
    keep('tan', await flow.showPage());
    keep('tan-required', (await flow.submit('tan', { tan: '' }, 400)).text);
    keep('tan-wrong', (await flow.submit('tan', { tan: '000000' === (await mail.lastTanFor(person.email)) ? '111111' : '000000' }, 400)).text);
    keep('tan-cooldown', (await flow.submit('tan/resend', {}, 429)).text);
    app.clock.advance((TTL_SECONDS + 1) * 1000);
    try {
      keep('tan-expired', (await flow.submit('tan', { tan: await mail.lastTanFor(person.email) }, 400)).text);
    } finally {
      app.clock.advance(-(TTL_SECONDS + 1) * 1000);
    }

    const signedIn = new LoginFlow(app, thirdParty, browser);
    await signedIn.startAuthorization({ ui_locales: locale });
    const consent = await signedIn.submitPassword(person.email, PASSWORD);
    keep('consent', (await browser.get(consent.location!)).text);
    await signedIn.submit('consent', {});
    keep('account', (await browser.get(`/account?ui_locales=${locale}&done=devices_revoked`)).text);
    keep('account-made-up-notice', (await browser.get(`/account?ui_locales=${locale}&done=hacked`)).text);
    keep('account-signed-out', (await new Browser(app.url).get(`/account?ui_locales=${locale}`)).text);
    keep('help', (await browser.get(`/help?ui_locales=${locale}`)).text);
    keep('not-found', (await browser.get(`/nothing-here?ui_locales=${locale}`)).text);
    keep('interaction-expired', (await browser.get(`/interaction/gone?ui_locales=${locale}`)).text);

    const pending = await app.services.accounts.create({ email: `pending${counter}@example.com`, status: 'pending' });
    const activation = `/activate/${await app.services.onboarding.activationLink(pending)}`;
    keep('set-password', (await browser.get(`${activation}?ui_locales=${locale}`)).text);
    keep('set-password-errors', (await browser.post(`${activation}?ui_locales=${locale}`, { password: 'short', confirmation: 'other' })).text);

    const problems = seen.flatMap(([state, html]) => [...rawKeysIn(html), ...unfilledPlaceholdersIn(html)].map((found) => `${state}: ${found}`));
    expect(problems).toEqual([]);
    expect(seen.map(([state]) => state)).toHaveLength(19);
  }, 60_000);
});
