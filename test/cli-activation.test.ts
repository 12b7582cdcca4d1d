import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCliRunner } from './helpers/cli.js';
import { startSmtpCapture, type SmtpCapture } from './helpers/smtp-capture.js';

let mail: SmtpCapture;
const { pforte, pforteJson, setUp, tearDown } = createCliRunner(() => ({ SMTP_URL: mail.url }));

beforeAll(async () => {
  mail = await startSmtpCapture();
  await setUp();
});
afterAll(async () => {
  await tearDown();
  await mail?.close();
});

describe('activation mail (SPEC 4.6, 4.10)', () => {
  it('user create --activation mails the link it prints, in the language asked for', async () => {
    const created = await pforteJson<{ activation_link: string }>('user', 'create', '--email', 'invited@example.com', '--name', 'Ina Vited', '--activation', '--locale', 'en');
    expect(created.activation_link).toMatch(/^http:\/\/localhost:3000\/activate\/[A-Za-z0-9_-]{43}$/);
    const sent = await mail.lastTo('invited@example.com');
    expect(sent.subject).toBe('Activate your account');
    expect(sent.text).toContain(created.activation_link);
    expect(sent.text).toContain('Hello Ina Vited,');
    expect(sent.text).toContain('valid for 7 days');
    expect(sent.text).toContain('You did not ask for this?');
    expect(sent.html).toContain(`href="${created.activation_link}"`);
    expect(sent.html).toContain('lang="en"');
  });

  it('resend-activation mails a new link to a pending account and refuses an active one', async () => {
    const resent = await pforteJson<{ activation_link: string }>('user', 'resend-activation', 'invited@example.com');
    const sent = await mail.lastTo('invited@example.com');
    expect(sent.subject).toBe('Aktivieren Sie Ihr Konto');
    expect(sent.text).toContain(resent.activation_link);
    expect(mail.countTo('invited@example.com')).toBe(2);

    await pforteJson('user', 'create', '--email', 'active@example.com');
    const refused = await pforte('user', 'resend-activation', 'active@example.com');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('not pending activation');
    expect(mail.countTo('active@example.com')).toBe(0);
    expect((await pforte('user', 'resend-activation', 'nobody@example.com')).code).toBe(3);
    expect((await pforte('user', 'resend-activation', 'invited@example.com', '--locale', 'fr')).code).toBe(2);
  });
});
