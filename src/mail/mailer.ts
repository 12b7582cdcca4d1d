import { setTimeout as delay } from 'node:timers/promises';
import { createTransport } from 'nodemailer';
import { AppError } from '../errors/index.js';
import type { Locale } from '../i18n/index.js';
import type { Logger } from '../observability/logger.js';
import type { DevOutbox } from './dev-outbox.js';
import { renderMail, type MailTemplate, type MailTemplates } from './templates.js';

export type { MailTemplate, MailTemplates };

export interface MailRequest<T extends MailTemplate = MailTemplate> {
  to: string;
  template: T;
  locale: Locale;
  data: MailTemplates[T];
}

export interface Mailer {
  /** Renders and sends one mail; throws `AppError('mail_unavailable')` (503) when SMTP keeps failing. */
  send<T extends MailTemplate>(request: MailRequest<T>): Promise<void>;
  /**
   * Talks to the mail server as a send would (connect, greet, authenticate) without sending,
   * with the same retries and the same error: a stand-in where a mail must seem to be sent.
   */
  probe(): Promise<void>;
  /**
   * Renders the mail as `send` would and talks to the mail server as `send` would, but
   * sends nothing: the stand-in where a journey must do the same work whether or not the
   * mail may go out (forgot password for an unknown address).
   */
  rehearse<T extends MailTemplate>(request: MailRequest<T>): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  /** Without it mails go to the dev outbox (SPEC 1: laptop mode). */
  smtpUrl?: string;
  mailFrom: string;
  logger: Logger;
  outbox?: DevOutbox;
  /** Attempts per mail, the first included. Default 3. */
  retries?: number;
  /** Wait before the second attempt; doubles for each further one. Default 200 ms. */
  retryDelayMs?: number;
}

/** After this long no further attempt starts: the person waiting gets the page instead. */
const RETRY_BUDGET_MS = 2500;

/** SMTP errors worth another attempt: no reply at all (connection, timeout) or a 4xx. */
function isTransient(error: unknown): boolean {
  const responseCode = (error as { responseCode?: unknown }).responseCode;
  return typeof responseCode !== 'number' || responseCode < 500;
}

/** What may be logged of a send failure: codes, never the message or the server's echo of it. */
function describeFailure(error: unknown): Record<string, unknown> {
  const { code, responseCode, command } = error as { code?: unknown; responseCode?: unknown; command?: unknown };
  return { code, responseCode, command };
}

export function createMailer({ smtpUrl, mailFrom, logger, outbox, retries = 3, retryDelayMs = 200 }: MailerOptions): Mailer {
  const log = logger.child({ component: 'mailer' });
  // Timeouts well below nodemailer's minutes-long defaults: a user is waiting for the page.
  // Pooled: a TAN mail reuses an open connection instead of a new TCP + greeting + EHLO
  // (+ TLS) exchange while the user waits. Query parameters of SMTP_URL still override all.
  const transport = smtpUrl
    ? createTransport({ url: smtpUrl, pool: true, connectionTimeout: 3000, greetingTimeout: 3000, socketTimeout: 5000 })
    : undefined;
  const attempts = Math.max(1, retries);

  async function withRetries(template: string, operation: () => Promise<unknown>): Promise<void> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await operation();
        log.info({ template, attempt }, 'mail server answered');
        return;
      } catch (error) {
        const failure = { template, attempt, ...describeFailure(error) };
        // No further attempt once a slow server has used the page's budget (SPEC 8: 5 s).
        if (attempt >= attempts || !isTransient(error) || Date.now() - started >= RETRY_BUDGET_MS) {
          log.error(failure, 'mail could not be sent');
          throw new AppError('mail_unavailable');
        }
        log.warn(failure, 'mail send failed, retrying');
        await delay(retryDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  return {
    async send({ to, template, locale, data }) {
      const mail = await renderMail(template, locale, data);
      if (!transport) {
        outbox?.add({ to, ...mail });
        // The body holds codes and links: only recipient and subject reach the log.
        log.info({ to, subject: mail.subject, template }, 'mail not sent (no SMTP_URL): see /dev/outbox');
        return;
      }
      await withRetries(template, () => transport.sendMail({ from: mailFrom, to, subject: mail.subject, text: mail.text, html: mail.html }));
    },
    async probe() {
      if (transport) await withRetries('probe', () => transport.verify());
    },
    async rehearse({ template, locale, data }) {
      await renderMail(template, locale, data);
      if (transport) await withRetries(template, () => transport.verify());
    },
    close() {
      transport?.close();
    },
  };
}
