import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/** email_verified (issue 8 item 7): true once the address is proven, false otherwise. Registration and reset are in their own files. */
const PASSWORD = 'Sichere-Passw0rt!';
let app: TestApp;
let mail: SmtpCapture;
let loa1: RelyingParty;
let loa2: RelyingParty;

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({ SMTP_URL: mail.url });
  loa1 = await registerRelyingParty(app);
  loa2 = await registerRelyingParty(app, { minAcr: 'urn:pforte:loa:2', defaultAcr: 'urn:pforte:loa:2' });
});
afterAll(async () => {
  await app?.close();
  await mail?.close();
});

const verified = async (email: string) => (await app.services.accounts.findByEmail(email))!.email_verified;

describe('email_verified', () => {
  test('stays false after a password-only sign-in, becomes true after a TAN mailed to the address', async () => {
    await app.services.accounts.create({ email: 'tan@example.com', password: PASSWORD });
    const passwordOnly = new LoginFlow(app, loa1);
    await passwordOnly.startAuthorization();
    await passwordOnly.submitPassword('tan@example.com', PASSWORD);
    expect((await passwordOnly.finishAtCallback()).claims()).toMatchObject({ email_verified: false });
    expect(await verified('tan@example.com')).toBe(false);

    const withTan = new LoginFlow(app, loa2);
    await withTan.startAuthorization();
    await withTan.submitPassword('tan@example.com', PASSWORD);
    await withTan.submit('tan', { tan: await mail.lastTanFor('tan@example.com') });
    expect((await withTan.finishAtCallback()).claims()).toMatchObject({ email_verified: true });
  });

  test('a wrong TAN proves nothing', async () => {
    await app.services.accounts.create({ email: 'wrongtan@example.com', password: PASSWORD });
    const flow = new LoginFlow(app, loa2);
    await flow.startAuthorization();
    await flow.submitPassword('wrongtan@example.com', PASSWORD);
    const right = await mail.lastTanFor('wrongtan@example.com');
    await flow.submit('tan', { tan: right === '000000' ? '111111' : '000000' }, 400);
    expect(await verified('wrongtan@example.com')).toBe(false);
  });

  test('becomes true when the activation link mailed to the address is used', async () => {
    const account = await app.services.accounts.create({ email: 'activate@example.com', status: 'pending' });
    const link = await app.services.onboarding.mailActivationLink(account, 'en');
    expect(await verified(account.email)).toBe(false);
    const res = await new Browser(app.url).post(new URL(link).pathname, { password: PASSWORD, confirmation: PASSWORD });
    expect(res.status).toBe(200);
    expect(await verified(account.email)).toBe(true);
  });
});
