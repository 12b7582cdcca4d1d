import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { Browser } from '../helpers/browser.js';
import { TEST_REDIS_URL } from '../helpers/database.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// The TAN page of the seeds (Allianz VTNR, ERGO): validity named, "Correct email address"
// keeping the fields, "Didn't get the email?", expired told apart from wrong or used, and a
// step-up TAN mailed once per interaction.
const PASSWORD = 'Sichere-Passw0rt!';
const TTL_SECONDS = 900;
let mail: SmtpCapture;
let app: TestApp;
let rp: RelyingParty;
let counter = 0;

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({
    SMTP_URL: mail.url,
    TAN_TTL_SECONDS: String(TTL_SECONDS),
    TAN_RESEND_COOLDOWN_SECONDS: '0',
    TAN_MAX_SENDS_PER_HOUR: '1000',
    LOCKOUT_THRESHOLD: '50',
    RATE_LIMIT_AGENT_PER_IP_PER_MINUTE: '10000',
    RATE_LIMIT_TAN_PER_IP_PER_MINUTE: '10000',
    RATE_LIMIT_PASSWORD_PER_IP_PER_MINUTE: '10000',
  });
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
  const email = `tan${digits}@example.com`;
  await app.services.accounts.create({ email, password: PASSWORD, agentNumber: `60/321/${digits}` });
  return { email, agentNumber: `60/321/${digits}` };
}

const newBrowser = (language = 'en') => new Browser(app.url, { 'Accept-Language': language });

async function agentTanPage(person: { email: string; agentNumber: string }, { language = 'en', email = person.email } = {}) {
  const flow = new LoginFlow(app, rp, newBrowser(language));
  await flow.startAuthorization({ login_method: 'agent', ui_locales: language });
  await flow.submit('agent', { agent_number: person.agentNumber.replace(/\//g, ' '), email, trust: 'on' });
  return { flow, page: await flow.showPage() };
}

describe('what the TAN page says', () => {
  test('it names how long the TAN is valid, in the page language', async () => {
    const person = await createPerson();
    expect((await agentTanPage(person)).page).toContain('For your security, the TAN is valid for 15 minutes only.');
    expect((await agentTanPage(person, { language: 'de' })).page).toContain('Die TAN ist aus Sicherheitsgründen nur für 15 Minuten gültig.');
    expect((await agentTanPage(person, { language: 'nl' })).page).toContain('Om veiligheidsredenen is de TAN maar 15 minuten geldig.');
  });

  test('"Didn\'t get the email?" helps on both journeys, with the journey\'s own advice', async () => {
    const person = await createPerson();
    const { page: agentPage } = await agentTanPage(person);
    expect(agentPage).toContain("<summary>Didn&#39;t get the email?</summary>");
    expect(agentPage).toContain('not the one registered for your agent number');

    const flow = new LoginFlow(app, rp, newBrowser());
    await flow.startAuthorization({ ui_locales: 'en', acr_values: 'urn:pforte:loa:2' });
    await flow.submitPassword(person.email, PASSWORD);
    const passwordPage = await flow.showPage();
    expect(passwordPage).toContain("<summary>Didn&#39;t get the email?</summary>");
    expect(passwordPage).toContain('The TAN goes to the email address registered for your account');
    expect(passwordPage).toContain('href="/help#no_mail"');
    // Nothing to correct on the password journey: the address is the account's.
    expect(passwordPage).not.toContain('Correct email address');
  });
});

describe('"Correct email address" (agent journey)', () => {
  test('goes back to the agent form with the fields kept; sending it again starts a new TAN', async () => {
    const person = await createPerson();
    const { flow, page } = await agentTanPage(person, { email: 'typo@example.com' });
    const back = /<a href="([^"]+)"><span aria-hidden="true">← <\/span>Correct email address<\/a>/.exec(page);
    expect(back).not.toBeNull();
    const form = await flow.browser.get(back![1]!);
    expect(form.status).toBe(200);
    expect(form.text).toContain(`value="${person.agentNumber}"`);
    expect(form.text).toContain('value="typo@example.com"');
    expect(form.text).toMatch(/id="trust" name="trust" type="checkbox" checked/);

    await flow.submit('agent', { agent_number: person.agentNumber, email: person.email });
    expect(await flow.showPage()).toContain(`sent a TAN to it`);
    await flow.submit('tan', { tan: await mail.lastTanFor(person.email) });
    expect(flow.callbackUrl).toBeDefined();
  });

  test('opening the link (a GET, e.g. a prefetch) changes nothing: the TAN page and its TAN still work', async () => {
    const person = await createPerson();
    const { flow } = await agentTanPage(person);
    await flow.browser.get(`/interaction/${flow.uid}?method=agent`);
    expect(await flow.showPage()).toContain('>TAN</label>');
    await flow.submit('tan', { tan: await mail.lastTanFor(person.email) });
    expect(flow.callbackUrl).toBeDefined();
    expect(mail.countTo(person.email)).toBe(1);
  });
});

describe('expired, wrong and used TANs are told apart', () => {
  test('an expired TAN says "expired" on every try, not "used or replaced"', async () => {
    const person = await createPerson();
    const { flow } = await agentTanPage(person);
    const tan = await mail.lastTanFor(person.email);
    app.clock.advance((TTL_SECONDS + 1) * 1000);
    try {
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const res = await flow.submit('tan', { tan }, 400);
        expect(res.text).toContain('This TAN has expired');
      }
    } finally {
      app.clock.advance(-(TTL_SECONDS + 1) * 1000);
    }
  });

  test('the expired TAN is remembered for an hour beyond its lifetime (its Redis key lives that long)', async () => {
    const person = await createPerson();
    const { flow } = await agentTanPage(person);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const ttl = await redis.ttl(`${app.redisPrefix}pforte:tan:{${flow.uid}}`);
      expect(ttl).toBeGreaterThan(TTL_SECONDS);
      expect(ttl).toBeLessThanOrEqual(TTL_SECONDS + 3600);
    } finally {
      redis.disconnect();
    }
  });

  test('a wrong TAN says "not correct", not "expired"', async () => {
    const person = await createPerson();
    const { flow } = await agentTanPage(person);
    const wrong = await flow.submit('tan', { tan: '000000' === (await mail.lastTanFor(person.email)) ? '111111' : '000000' }, 400);
    expect(wrong.text).toContain('The TAN is not correct');
    expect(wrong.text).not.toContain('expired');
  });
});

describe('step-up TAN', () => {
  async function stepUpBrowser() {
    const person = await createPerson();
    const flow = new LoginFlow(app, rp, newBrowser());
    await flow.startAuthorization({ ui_locales: 'en' });
    await flow.submitPassword(person.email, PASSWORD);
    await flow.finishAtCallback();
    mail.clear();
    const stepUp = new LoginFlow(app, rp, flow.browser);
    const location = await stepUp.startAuthorization({ acr_values: 'urn:pforte:loa:2', ui_locales: 'en' });
    return { person, stepUp, location };
  }

  test('is mailed once per interaction: reloads and a look at another login form send nothing more', async () => {
    const { person, stepUp, location } = await stepUpBrowser();
    const first = await stepUp.browser.get(location);
    expect(first.status).toBe(303);
    for (let reload = 0; reload < 3; reload += 1) expect(await stepUp.showPage()).toContain('>TAN</label>');
    expect((await stepUp.browser.get(`/interaction/${stepUp.uid}?method=password`)).status).toBe(200);
    expect(await stepUp.showPage()).toContain('>TAN</label>');
    expect(mail.countTo(person.email)).toBe(1);
    await stepUp.submit('tan', { tan: await mail.lastTanFor(person.email) });
    expect((await stepUp.finishAtCallback()).claims()!.acr).toBe('urn:pforte:loa:2');
  });

  test('two GETs at once (a prefetch and the real one) mail one TAN and both show the TAN page', async () => {
    const { person, stepUp, location } = await stepUpBrowser();
    const [a, b] = await Promise.all([stepUp.browser.get(location), stepUp.browser.get(location)]);
    for (const res of [a, b]) expect([200, 303]).toContain(res.status);
    expect(await stepUp.showPage()).toContain('>TAN</label>');
    await mail.lastTanFor(person.email);
    expect(mail.countTo(person.email)).toBe(1);
  });
});
