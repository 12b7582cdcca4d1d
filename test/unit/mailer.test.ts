import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import Koa from 'koa';
import request from 'supertest';
import { AppError } from '../../src/errors/index.js';
import type { Locale } from '../../src/i18n/index.js';
import { createDevOutbox } from '../../src/mail/dev-outbox.js';
import { createMailer } from '../../src/mail/mailer.js';
import { localeMiddleware } from '../../src/http/locale.js';
import { devOutboxRoutes } from '../../src/mail/outbox-routes.js';
import { createLogger } from '../../src/observability/logger.js';
import { extractTan, startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';

/** A pino logger writing into memory, so a test can read every line it wrote. */
function memoryLogger(): { logger: ReturnType<typeof createLogger>; output: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), output: () => chunks.join('') };
}

const FROM = 'pforte <no-reply@pforte.test>';

describe('mailer over SMTP', () => {
  let smtp: SmtpCapture;
  beforeAll(async () => {
    smtp = await startSmtpCapture();
  });
  afterAll(() => smtp.close());
  beforeEach(() => smtp.clear());

  test('mails one after the other share one SMTP connection (no new handshake while a user waits)', async () => {
    const { logger } = memoryLogger();
    const mailer = createMailer({ smtpUrl: smtp.url, mailFrom: FROM, logger });
    const before = smtp.connectionCount();
    try {
      for (const n of [1, 2, 3]) await mailer.send({ to: `pooled-${n}@example.test`, template: 'tan', locale: 'en', data: { tan: '123456', minutes: 15, name: 'Sam' } });
      expect(smtp.countTo('pooled-3@example.test')).toBe(1);
      expect(smtp.connectionCount() - before).toBe(1);
    } finally {
      mailer.close();
    }
  });

  const cases: Array<[Locale, string, RegExp]> = [
    ['de', 'Ihre TAN für die Anmeldung', /15 Minuten gültig/],
    ['en', 'Your sign-in TAN', /valid for 15 minutes/],
    ['nl', 'Uw TAN voor het inloggen', /15 minuten geldig/],
  ];
  test.each(cases)('a TAN mail in %s names the TAN and its lifetime in text and HTML', async (locale, subject, lifetime) => {
    const { logger, output } = memoryLogger();
    const mailer = createMailer({ smtpUrl: smtp.url, mailFrom: FROM, logger });
    const to = `agent-${locale}@example.test`;

    await mailer.send({ to, template: 'tan', locale, data: { tan: '042917', minutes: 15, name: 'Sam <Islag>' } });

    const mail = await smtp.lastTo(to);
    expect(mail.subject).toBe(subject);
    expect(mail.text).toContain('042917');
    expect(mail.text).toMatch(lifetime);
    expect(mail.text).toContain('Sam <Islag>');
    expect(mail.html).toContain('042917');
    expect(mail.html).toMatch(lifetime);
    expect(mail.html).toContain(`lang="${locale}"`);
    expect(mail.html).toContain('Sam &lt;Islag&gt;');
    expect(await smtp.lastTanFor(to)).toBe('042917');
    expect(smtp.countTo(to)).toBe(1);
    expect(output()).not.toContain('042917');
  });

  test('the text part has one TAN line, whatever the name looks like', async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, mailFrom: FROM, logger: memoryLogger().logger });
    await mailer.send({ to: 'x@example.test', template: 'tan', locale: 'de', data: { tan: '1234', minutes: 1, name: 'Eve\n999999\n' } });
    const mail = await smtp.lastTo('x@example.test');
    expect(extractTan(mail)).toBe('1234');
    expect(mail.text).toContain('1 Minute gültig');
  });

  test('a temporary SMTP failure is retried and the mail still arrives', async () => {
    const { logger, output } = memoryLogger();
    const mailer = createMailer({ smtpUrl: smtp.url, mailFrom: FROM, logger, retryDelayMs: 1 });
    smtp.failNext(1);

    await mailer.send({ to: 'retry@example.test', template: 'tan', locale: 'en', data: { tan: '55501234', minutes: 10 } });

    expect(await smtp.lastTanFor('retry@example.test')).toBe('55501234');
    expect(smtp.countTo('retry@example.test')).toBe(1);
    expect(output()).toContain('retrying');
    expect(output()).not.toContain('55501234');
  });

  test('when SMTP keeps failing, send rejects with mail_unavailable', async () => {
    const { logger, output } = memoryLogger();
    const mailer = createMailer({ smtpUrl: smtp.url, mailFrom: FROM, logger, retries: 3, retryDelayMs: 1 });
    smtp.failNext(10);

    const sending = mailer.send({ to: 'down@example.test', template: 'tan', locale: 'en', data: { tan: '777111', minutes: 10 } });

    await expect(sending).rejects.toBeInstanceOf(AppError);
    await expect(sending).rejects.toMatchObject({ code: 'mail_unavailable', status: 503 });
    expect(smtp.countTo('down@example.test')).toBe(0);
    expect(output()).not.toContain('777111');
  });

  test('an unreachable SMTP server gives mail_unavailable', async () => {
    const closed = await startSmtpCapture();
    await closed.close();
    const mailer = createMailer({ smtpUrl: closed.url, mailFrom: FROM, logger: memoryLogger().logger, retryDelayMs: 1 });
    await expect(mailer.send({ to: 'a@example.test', template: 'tan', locale: 'de', data: { tan: '123456', minutes: 10 } }))
      .rejects.toMatchObject({ code: 'mail_unavailable' });
  });

  test('lastTo gives up when no mail arrives', async () => {
    await expect(smtp.lastTo('nobody@example.test', 50)).rejects.toThrow(/no mail to nobody@example.test/);
  });
});

describe('mailer without SMTP_URL', () => {
  test('keeps the mail in the dev outbox and logs one line without the body', async () => {
    const { logger, output } = memoryLogger();
    const outbox = createDevOutbox();
    const mailer = createMailer({ mailFrom: FROM, logger, outbox });

    await mailer.send({ to: 'dev@example.test', template: 'tan', locale: 'de', data: { tan: '314159', minutes: 10 } });

    const [mail] = outbox.list();
    expect(mail).toMatchObject({ to: 'dev@example.test', subject: 'Ihre TAN für die Anmeldung' });
    expect(mail!.text).toContain('314159');
    expect(mail!.html).toContain('314159');
    const lines = output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ to: 'dev@example.test', subject: 'Ihre TAN für die Anmeldung' });
    expect(lines[0]).toContain('/dev/outbox');
    expect(output()).not.toContain('314159');
  });

  test('the outbox keeps the newest 50, newest first', () => {
    const outbox = createDevOutbox();
    for (let i = 0; i < 55; i++) outbox.add({ to: `u${i}@example.test`, subject: `s${i}`, text: '', html: '' });
    const mails = outbox.list();
    expect(mails).toHaveLength(50);
    expect(mails[0]!.subject).toBe('s54');
    expect(mails[49]!.subject).toBe('s5');
    outbox.clear();
    expect(outbox.list()).toEqual([]);
  });

  test('/dev/outbox lists the mails escaped, /dev/outbox/latest.json gives the newest', async () => {
    const outbox = createDevOutbox();
    const app = new Koa();
    app.use(localeMiddleware());
    app.use(devOutboxRoutes(outbox).routes());
    const server = app.callback();

    expect((await request(server).get('/dev/outbox/latest.json')).status).toBe(404);

    const mailer = createMailer({ mailFrom: FROM, logger: memoryLogger().logger, outbox });
    await mailer.send({ to: 'first@example.test', template: 'tan', locale: 'en', data: { tan: '111111', minutes: 10 } });
    await mailer.send({ to: 'second@example.test', template: 'tan', locale: 'en', data: { tan: '222222', minutes: 10, name: '<script>x</script>' } });

    const page = await request(server).get('/dev/outbox').set('Accept-Language', 'en');
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('Dev outbox');
    expect(page.text.indexOf('222222')).toBeLessThan(page.text.indexOf('111111'));
    expect(page.text).not.toContain('<script>x');

    const latest = await request(server).get('/dev/outbox/latest.json');
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({ to: 'second@example.test', subject: 'Your sign-in TAN' });
    expect(latest.body.text).toContain('222222');
    expect(typeof latest.body.sentAt).toBe('string');
  });
});
