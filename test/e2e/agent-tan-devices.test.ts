import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import * as oidc from 'openid-client';
import { TEST_REDIS_URL } from '../helpers/database.js';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const CHROME_NEWER = CHROME_LINUX.replace('Chrome/131', 'Chrome/132');
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

let mail: SmtpCapture;
let app: TestApp;
let rp: RelyingParty;
let agentCounter = 0;

beforeAll(async () => {
  mail = await startSmtpCapture();
  // No resend cooldown by default here; the cooldown test configures its own app.
  // Every journey here comes from 127.0.0.1: per-IP limits are not what these tests are about.
  app = await startTestApp({ SMTP_URL: mail.url, TAN_RESEND_COOLDOWN_SECONDS: '0', TAN_MAX_SENDS_PER_HOUR: '1000', LOCKOUT_THRESHOLD: '50', RATE_LIMIT_AGENT_PER_IP_PER_MINUTE: '10000', RATE_LIMIT_TAN_PER_IP_PER_MINUTE: '10000', RATE_LIMIT_PASSWORD_PER_IP_PER_MINUTE: '10000' });
  rp = await registerRelyingParty(app, { scopes: ['openid', 'email', 'profile', 'agent'] });
});
afterAll(async () => {
  await app?.close();
  await mail?.close();
});
beforeEach(() => mail.clear());

/** Lets every running resend cooldown of an app end now (they live in Redis, not on the clock). */
async function endCooldowns(target: TestApp): Promise<void> {
  const raw = new Redis(TEST_REDIS_URL);
  try {
    const keys = await raw.keys(`${target.redisPrefix}pforte:tan-cooldown:*`);
    if (keys.length > 0) await raw.del(...keys);
  } finally {
    raw.disconnect();
  }
}

/** A fresh agent with a unique number, e.g. 60/123/0001. */
async function createAgent(password?: string) {
  agentCounter += 1;
  const digits = String(agentCounter).padStart(4, '0');
  const email = `agent${digits}@example.com`;
  const account = await app.services.accounts.create({ email, agentNumber: `60/123/${digits}`, password });
  return { id: account.id, email, agentNumber: `60/123/${digits}`, digits };
}

function flowFor(party = rp, userAgent = CHROME_LINUX, browser?: Browser) {
  return new LoginFlow(app, party, browser ?? new Browser(app.url, { 'User-Agent': userAgent, 'Accept-Language': 'en' }));
}

async function startAgentLogin(flow: LoginFlow, agentNumber: string, email: string, extra: Record<string, string> = {}) {
  await flow.startAuthorization({ login_method: 'agent', ui_locales: 'en' });
  const res = await flow.submit('agent', { agent_number: agentNumber, email, ...extra });
  expect(res.location).toMatch(/\/interaction\//);
  return flow.showPage();
}

describe('agent number + email with an emailed TAN', () => {
  test('signs in end to end; the TAN comes by mail; the ID token names the agent', async () => {
    const agent = await createAgent();
    const flow = flowFor();
    const page = await startAgentLogin(flow, `60 123 ${agent.digits}`, agent.email);
    expect(page).toContain('>TAN</label>');
    expect(page).toContain('Resend TAN');
    const tan = await mail.lastTanFor(agent.email);
    expect(tan).toMatch(/^\d{6}$/);
    await flow.submit('tan', { tan });
    const tokens = await flow.finishAtCallback();
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(agent.id);
    expect(claims.acr).toBe('urn:pforte:loa:1');
    expect(claims.amr).toEqual(['otp']);
    const mailText = (await mail.lastTo(agent.email)).text;
    expect(mailText).toContain(tan);
  });

  test('the first TAN confirms the address; later TAN sign-ins do not write the account again', async () => {
    const agent = await createAgent();
    const accountWrites: string[] = [];
    const listener = (query: { sql: string }) => { if (/^update "accounts"/.test(query.sql)) accountWrites.push(query.sql); };
    app.runtime.db.on('query', listener);
    try {
      for (const round of [1, 2]) {
        const flow = flowFor();
        await startAgentLogin(flow, agent.agentNumber, agent.email);
        await flow.submit('tan', { tan: await mail.lastTanFor(agent.email) });
        expect((await flow.finishAtCallback()).claims()!.email_verified).toBe(true);
        expect(accountWrites).toHaveLength(1);
        expect((await app.runtime.db('accounts').where({ id: agent.id }).first()).email_verified).toBe(true);
        if (round === 1) expect(accountWrites[0]).toMatch(/"email_verified"/);
      }
    } finally {
      app.runtime.db.removeListener('query', listener);
    }
  });

  test('agent numbers are normalised: "601234567" works too', async () => {
    const agent = await createAgent();
    const flow = flowFor();
    await startAgentLogin(flow, `60123${agent.digits}`, agent.email.toUpperCase());
    await flow.submit('tan', { tan: await mail.lastTanFor(agent.email) });
    expect((await flow.finishAtCallback()).claims()!.sub).toBe(agent.id);
  });

  test('a wrong format says so at once, field kept', async () => {
    const flow = flowFor();
    await flow.startAuthorization({ login_method: 'agent', ui_locales: 'en' });
    const page = await flow.showPage();
    expect(page).toContain('>Agent number</label>');
    expect(page).toContain('Sign in with email and password');
    const res = await flow.submit('agent', { agent_number: '12-34', email: 'x@example.com' }, 400);
    expect(res.text).toContain('This agent number is invalid.');
    expect(res.text).toContain('value="12-34"');
    expect(res.text).toContain('aria-invalid="true"');
  });

  test('a non-matching email gets the same page and no mail', async () => {
    const agent = await createAgent();
    const matching = flowFor();
    const matchingPage = await startAgentLogin(matching, agent.agentNumber, agent.email);
    const other = flowFor();
    const otherPage = await startAgentLogin(other, agent.agentNumber, 'someone.else@example.com');
    const neutral = (html: string, flow: LoginFlow, email: string) => html.replaceAll(flow.uid!, 'UID').replaceAll(email, 'EMAIL');
    expect(neutral(otherPage, other, 'someone.else@example.com')).toBe(neutral(matchingPage, matching, agent.email));
    expect(mail.countTo('someone.else@example.com')).toBe(0);
    expect(mail.countTo(agent.email)).toBe(1);
    // Whatever is typed there, it fails like a wrong TAN.
    const wrong = await other.submit('tan', { tan: '123456' }, 400);
    expect(wrong.text).toContain('The TAN is not correct');
  });

  test('ten parallel submits of the right TAN: exactly one succeeds', async () => {
    const agent = await createAgent();
    const flow = flowFor();
    await startAgentLogin(flow, agent.agentNumber, agent.email);
    const tan = await mail.lastTanFor(agent.email);
    const results = await Promise.all(Array.from({ length: 10 }, () => flow.browser.post(`/interaction/${flow.uid}/tan`, { tan })));
    expect(results.filter((r) => r.status === 303)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400)).toHaveLength(9);
  });

  test('wrong TAN counts down, the fifth voids it, a new TAN keeps the account failure count', async () => {
    const agent = await createAgent();
    const flow = flowFor();
    await startAgentLogin(flow, agent.agentNumber, agent.email);
    const tan = await mail.lastTanFor(agent.email);
    const wrong = tan === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 1; left -= 1) {
      const res = await flow.submit('tan', { tan: wrong }, 400);
      expect(res.text).toContain(`Attempts left: ${left}.`);
    }
    const voided = await flow.submit('tan', { tan: wrong }, 400);
    expect(voided.text).toContain('this TAN is no longer valid');
    // The right TAN is void now as well.
    expect((await flow.submit('tan', { tan }, 400)).text).toContain('This TAN can no longer be used');
    expect(await app.services.lockout.failures(agent.id, 'otp')).toBe(5);
    const resent = await flow.submit('tan/resend', {}, 200);
    expect(resent.text).toContain('A new TAN has been sent');
    await flow.submit('tan', { tan: wrong }, 400);
    expect(await app.services.lockout.failures(agent.id, 'otp')).toBe(6);
    const events = await app.services.auditRepo.list({ accountId: agent.id });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['tan.sent', 'tan.failed', 'tan.void']));
    // And the new TAN still signs in.
    await flow.submit('tan', { tan: await mail.lastTanFor(agent.email) });
    expect((await flow.finishAtCallback()).claims()!.sub).toBe(agent.id);
  });

  test('an expired TAN is refused', async () => {
    const agent = await createAgent();
    const flow = flowFor();
    await startAgentLogin(flow, agent.agentNumber, agent.email);
    const tan = await mail.lastTanFor(agent.email);
    app.clock.advance(app.config.tan.ttlSeconds * 1000 + 1000);
    try {
      const res = await flow.submit('tan', { tan }, 400);
      expect(res.text).toContain('This TAN has expired');
    } finally {
      app.clock.advance(-(app.config.tan.ttlSeconds * 1000 + 1000));
    }
  });

  test('a used TAN and a TAN from another interaction are refused', async () => {
    const agent = await createAgent();
    const first = flowFor();
    await startAgentLogin(first, agent.agentNumber, agent.email);
    const firstTan = await mail.lastTanFor(agent.email);
    const second = flowFor();
    await startAgentLogin(second, agent.agentNumber, agent.email);
    const secondTan = await mail.lastTanFor(agent.email);
    if (secondTan !== firstTan) {
      expect((await second.submit('tan', { tan: firstTan }, 400)).text).toContain('The TAN is not correct');
    }
    await second.submit('tan', { tan: secondTan });
    // Replaying the used TAN on the same interaction: the interaction is finished and the TAN gone.
    const replay = await second.browser.post(`/interaction/${second.uid}/tan`, { tan: secondTan });
    expect(replay.status).toBe(400);
  });

  test('SMTP down: a clear page, the journey is kept, and it works once SMTP is back', async () => {
    const agent = await createAgent();
    const flow = flowFor();
    await flow.startAuthorization({ login_method: 'agent', ui_locales: 'en' });
    mail.failNext(10);
    const down = await flow.submit('agent', { agent_number: agent.agentNumber, email: agent.email }, 503);
    expect(down.text).toContain('The email could not be sent right now');
    expect(down.text).toContain('Resend TAN');
    mail.failNext(0);
    const resent = await flow.submit('tan/resend', {}, 200);
    expect(resent.text).toContain('A new TAN has been sent');
    await flow.submit('tan', { tan: await mail.lastTanFor(agent.email) });
    expect((await flow.finishAtCallback()).claims()!.sub).toBe(agent.id);
  });

  test('hostile input is escaped, answered with 400 and stores nothing', async () => {
    const flow = flowFor();
    await flow.startAuthorization({ login_method: 'agent', ui_locales: 'en' });
    const before = (await app.services.auditRepo.list()).length;
    const script = '<script>alert(1)</script>';
    const res = await flow.submit('agent', { agent_number: script, email: `${script}@x` }, 400);
    expect(res.text).not.toContain(script);
    expect(res.text).toContain('&lt;script&gt;');
    expect((await flow.submit('agent', { agent_number: '6'.repeat(5000), email: 'a@b.c' }, 400)).text).toContain('too long');
    const raw = await flow.browser.agent.post(`/interaction/${flow.uid}/agent`).set('Content-Type', 'application/x-www-form-urlencoded')
      .serialize((b: unknown) => b as string).send(Buffer.from('agent_number=%C3%28&email=a') as unknown as string).redirects(0);
    expect(raw.status).toBe(400);
    expect((await app.services.auditRepo.list()).length).toBe(before);
  });
});

describe('"continue without email confirmation" (loa:0)', () => {
  test('offered and working only for a client that allows loa:0', async () => {
    const agent = await createAgent();
    const strictPage = await startAgentLogin(flowFor(), agent.agentNumber, agent.email);
    expect(strictPage).not.toContain('Continue without email confirmation');
    // Allowed, but not enough for this client's minimum: not offered either.
    const minimumLoa1 = await registerRelyingParty(app, { acr: ['urn:pforte:loa:0', 'urn:pforte:loa:1'], minAcr: 'urn:pforte:loa:1' });
    expect(await startAgentLogin(flowFor(minimumLoa1), agent.agentNumber, agent.email)).not.toContain('Continue without email confirmation');

    const lenient = await registerRelyingParty(app, { acr: ['urn:pforte:loa:0', 'urn:pforte:loa:1', 'urn:pforte:loa:2'], minAcr: 'urn:pforte:loa:0', defaultAcr: 'urn:pforte:loa:1' });
    const flow = flowFor(lenient);
    const page = await startAgentLogin(flow, agent.agentNumber, agent.email);
    expect(page).toContain('Continue without email confirmation');
    expect(page).toContain('no electronic application submission');
    await flow.submit('unconfirmed', {});
    const claims = (await flow.finishAtCallback()).claims()!;
    expect(claims.acr).toBe('urn:pforte:loa:0');
    expect(claims.amr ?? []).toEqual([]);

    // As in the seed, loa:0 rests on the agent number alone: a non-matching email may
    // continue too, so the button tells nothing about the address.
    const mismatch = flowFor(lenient);
    expect(await startAgentLogin(mismatch, agent.agentNumber, 'not.the.agent@example.com')).toContain('Continue without email confirmation');
    await mismatch.submit('unconfirmed', {});
    const claimedTokens = await mismatch.finishAtCallback();
    const claimed = claimedTokens.claims()!;
    expect(claimed.sub).toBe(agent.id);
    expect(claimed.acr).toBe('urn:pforte:loa:0');
    // Nothing proven: no personal data in the ID token or from userinfo, no account page.
    expect(claimed.email).toBeUndefined();
    const userinfo = await oidc.fetchUserInfo(lenient.config, claimedTokens.access_token, agent.id);
    expect(userinfo.email).toBeUndefined();
    const account = await mismatch.browser.get('/account');
    expect(account.status).toBe(401);

    const refused = flowFor();
    await startAgentLogin(refused, agent.agentNumber, agent.email);
    expect((await refused.browser.post(`/interaction/${refused.uid}/unconfirmed`, {})).status).toBe(400);
  });
});

describe('password login with a TAN (client minimum loa:2)', () => {
  test('asks for the TAN after the password; the token says pwd + otp', async () => {
    const strict = await registerRelyingParty(app, { minAcr: 'urn:pforte:loa:2', defaultAcr: 'urn:pforte:loa:2' });
    const agent = await createAgent('Sichere-Passw0rt!');
    const flow = flowFor(strict);
    await flow.startAuthorization({ ui_locales: 'en' });
    const next = await flow.submitPassword(agent.email, 'Sichere-Passw0rt!');
    expect(next.location).toMatch(/\/interaction\//);
    expect(await flow.showPage()).toContain(`We have sent a TAN to ${agent.email}`);
    await flow.submit('tan', { tan: await mail.lastTanFor(agent.email) });
    const claims = (await flow.finishAtCallback()).claims()!;
    expect(claims.acr).toBe('urn:pforte:loa:2');
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);

    // Agent login cannot reach loa:2: the password page shows even when asked for agent login.
    const agentWanted = flowFor(strict);
    await agentWanted.startAuthorization({ login_method: 'agent', ui_locales: 'en' });
    const page = await agentWanted.showPage();
    expect(page).toContain('type="password"');
    expect(page).not.toContain('Sign in with agent number');
  });

  test('an SSO session proven only with a password does not pass a client that requires loa:2', async () => {
    const strict = await registerRelyingParty(app, { minAcr: 'urn:pforte:loa:2', defaultAcr: 'urn:pforte:loa:2' });
    const agent = await createAgent('Sichere-Passw0rt!');
    const first = flowFor();
    await first.startAuthorization();
    await first.submitPassword(agent.email, 'Sichere-Passw0rt!');
    expect((await first.finishAtCallback()).claims()!.acr).toBe('urn:pforte:loa:1');
    const second = new LoginFlow(app, strict, first.browser);
    expect(await second.startAuthorization()).toMatch(/\/interaction\//);
  });
});

describe('trusted devices', () => {
  async function trustedBrowser(agent: { agentNumber: string; email: string }, userAgent = CHROME_LINUX) {
    const flow = flowFor(rp, userAgent);
    await startAgentLogin(flow, agent.agentNumber, agent.email);
    await flow.submit('tan', { tan: await mail.lastTanFor(agent.email), trust: 'on' });
    await flow.finishAtCallback();
    return flow.browser;
  }

  /** A new journey in the same browser (cookie jar), optionally with another user agent. */
  async function signInAgain(browser: Browser, agent: { agentNumber: string; email: string }, userAgent = CHROME_LINUX) {
    const flow = new LoginFlow(app, rp, browser.withHeaders({ 'User-Agent': userAgent }));
    await flow.startAuthorization({ login_method: 'agent', ui_locales: 'en', prompt: 'login' });
    return { flow, result: await flow.submit('agent', { agent_number: agent.agentNumber, email: agent.email }) };
  }

  test('skips the TAN next time; the cookie holds a token the database does not', async () => {
    const agent = await createAgent();
    const browser = await trustedBrowser(agent);
    const cookie = browser.agent.jar.getCookie('pforte.device', { domain: 'localhost', path: '/', secure: false, script: false });
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await app.runtime.db('trusted_devices').where({ account_id: agent.id });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(cookie!.value);
    mail.clear();
    const { flow, result } = await signInAgain(browser, agent);
    expect(result.location).toMatch(/^https:\/\/rp\.example\.test\/callback/);
    expect(mail.countTo(agent.email)).toBe(0);
    expect((await flow.finishAtCallback()).claims()!.amr).toEqual(['device']);
    // The device's use and the login are both audited, in this order and in one statement
    // (one insert: the same transaction time).
    const [used, login] = await app.runtime.db('audit_events').where({ account_id: agent.id }).orderBy('id', 'desc').limit(2).then((rows) => rows.reverse());
    expect(used).toMatchObject({ type: 'device.used', detail: { device_id: rows[0].id } });
    expect(login).toMatchObject({ type: 'login.success', client_id: rp.clientId, detail: { method: 'agent', amr: ['device'] } });
    expect(login.at).toEqual(used.at);
  });

  test('a browser major update is fine; another browser or OS family asks for the TAN', async () => {
    const agent = await createAgent();
    const browser = await trustedBrowser(agent);
    expect((await signInAgain(browser, agent, CHROME_NEWER)).result.location).toMatch(/callback/);
    expect((await signInAgain(browser, agent, FIREFOX_LINUX)).result.location).toMatch(/\/interaction\//);
    expect((await signInAgain(browser, agent, CHROME_WINDOWS)).result.location).toMatch(/\/interaction\//);
  });

  test('another account, an expired device, a revoked one and a password change all ask for the TAN', async () => {
    const agent = await createAgent();
    const browser = await trustedBrowser(agent);
    const otherAgent = await createAgent();
    expect((await signInAgain(browser, otherAgent)).result.location).toMatch(/\/interaction\//);

    app.clock.advance((app.config.devices.trustDays + 1) * 86400_000);
    try {
      expect((await signInAgain(browser, agent)).result.location).toMatch(/\/interaction\//);
    } finally {
      app.clock.advance(-(app.config.devices.trustDays + 1) * 86400_000);
    }
    expect((await signInAgain(browser, agent)).result.location).toMatch(/callback/);

    await app.runtime.db('accounts').where({ id: agent.id }).update({ password_changed_at: new Date(Date.now() + 1000) });
    expect((await signInAgain(browser, agent)).result.location).toMatch(/\/interaction\//);
    await app.runtime.db('accounts').where({ id: agent.id }).update({ password_changed_at: null });

    const [device] = await app.services.devices.list(agent.id);
    await app.services.devices.revoke(agent.id, device!.id);
    expect((await signInAgain(browser, agent)).result.location).toMatch(/\/interaction\//);
  });

  test('a trusted device does not stand in while the account is locked', async () => {
    const agent = await createAgent();
    const browser = await trustedBrowser(agent);
    // Locked for the address the browser signs in from (the test client's).
    for (let i = 0; i < app.config.lockout.threshold; i += 1) await app.services.lockout.recordFailure(agent.id, 'otp', '127.0.0.1');
    expect((await signInAgain(browser, agent)).result.location).toMatch(/\/interaction\//);
  });

  test('nor during a hard stop that only Postgres still knows (Redis lost the counts)', async () => {
    const agent = await createAgent();
    const browser = await trustedBrowser(agent);
    await app.runtime.db('accounts').where({ id: agent.id }).update({ hard_locked_at: new Date() });
    expect((await signInAgain(browser, agent)).result.location).toMatch(/\/interaction\//);
    await app.runtime.db('accounts').where({ id: agent.id }).update({ hard_locked_at: null });
    expect((await signInAgain(browser, agent)).result.location).toMatch(/callback/);
  });

  test('the account page lists devices and revokes them, with a CSRF token', async () => {
    const agent = await createAgent();
    const browser = await trustedBrowser(agent);
    const page = await browser.agent.get('/account').set('Accept-Language', 'en');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Chrome 131');
    expect(page.text).toContain('Revoke all devices');
    const [device] = await app.services.devices.list(agent.id);
    const forged = await browser.agent.post(`/account/devices/${device!.id}/revoke`).type('form').send({ csrf: 'forged' });
    expect(forged.status).toBe(403);
    expect(await app.services.devices.list(agent.id)).toHaveLength(1);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const revoked = await browser.agent.post(`/account/devices/${device!.id}/revoke`).type('form').send({ csrf }).redirects(0);
    expect(revoked.status).toBe(303);
    expect(await app.services.devices.list(agent.id)).toHaveLength(0);
    const signedOut = await new Browser(app.url, { 'Accept-Language': 'en' }).get('/account');
    expect(signedOut.status).toBe(401);
    expect(signedOut.text).toContain('You are not signed in');
  });
});

describe('limits and switches that need their own configuration', () => {
  test('resend cooldown and hourly cap, each with a message saying what to do', async () => {
    const capture = await startSmtpCapture();
    const limited = await startTestApp({ SMTP_URL: capture.url, TAN_RESEND_COOLDOWN_SECONDS: '60', TAN_MAX_SENDS_PER_HOUR: '2' });
    try {
      const party = await registerRelyingParty(limited);
      const account = await limited.services.accounts.create({ email: 'cool@example.com', agentNumber: '61/000/0001' });
      const flow = new LoginFlow(limited, party, new Browser(limited.url, { 'Accept-Language': 'en' }));
      await flow.startAuthorization({ login_method: 'agent', ui_locales: 'en' });
      await flow.submit('agent', { agent_number: '61/000/0001', email: account.email });
      const cooling = await flow.submit('tan/resend', {}, 429);
      expect(cooling.text).toMatch(/Please wait \d+ seconds/);
      await endCooldowns(limited);
      await flow.submit('tan/resend', {}, 200);
      await endCooldowns(limited);
      const capped = await flow.submit('tan/resend', {}, 429);
      expect(capped.text).toContain('Too many TANs were requested');
      expect(capture.countTo(account.email)).toBe(2);

      // A matching and a non-matching journey answer alike, and wrong addresses use up only
      // their own budget: nobody can starve the agent of TANs by typing other addresses.
      await limited.services.accounts.create({ email: 'pair@example.com', agentNumber: '61/000/0002' });
      const journey = async (email: string, status: number) => {
        const attempt = new LoginFlow(limited, party, new Browser(limited.url, { 'Accept-Language': 'en' }));
        await attempt.startAuthorization({ login_method: 'agent', ui_locales: 'en' });
        const res = await attempt.browser.post(`/interaction/${attempt.uid}/agent`, { agent_number: '61/000/0002', email });
        expect(res.status).toBe(status);
        return res;
      };
      await journey('pair@example.com', 303);
      await journey('stranger@example.com', 303);
      await journey('stranger@example.com', 303);
      expect((await journey('stranger@example.com', 429)).text).toContain('Too many TANs were requested');
      await journey('pair@example.com', 303);
      expect((await journey('pair@example.com', 429)).text).toContain('Too many TANs were requested');
      expect(capture.countTo('pair@example.com')).toBe(2);
      expect(capture.countTo('stranger@example.com')).toBe(0);
    } finally {
      await limited.close();
      await capture.close();
    }
  });

  test('AGENT_LOGIN_REVEAL_MISMATCH shows the seed\'s explicit screen', async () => {
    const revealing = await startTestApp({ AGENT_LOGIN_REVEAL_MISMATCH: 'true', SMTP_URL: mail.url });
    try {
      const party = await registerRelyingParty(revealing);
      await revealing.services.accounts.create({ email: 'known@example.com', agentNumber: '62/000/0001' });
      const flow = new LoginFlow(revealing, party, new Browser(revealing.url, { 'Accept-Language': 'en' }));
      await flow.startAuthorization({ login_method: 'agent', ui_locales: 'en' });
      const res = await flow.submit('agent', { agent_number: '62/000/0001', email: 'other@example.com' }, 400);
      expect(res.text).toContain('does not match the email address registered for your agent number');
    } finally {
      await revealing.close();
    }
  });
});
