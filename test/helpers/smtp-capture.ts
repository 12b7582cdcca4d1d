import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  /** The envelope recipients (RCPT TO), comma-separated; pforte sends to one at a time. */
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface SmtpCapture {
  /** `smtp://127.0.0.1:PORT`, to pass as `SMTP_URL`. */
  url: string;
  /** Every accepted mail, oldest first. */
  messages: CapturedMail[];
  /** The newest mail to `email`, waiting up to `timeoutMs` for one to arrive. */
  lastTo(email: string, timeoutMs?: number): Promise<CapturedMail>;
  /** The TAN in the newest mail to `email` (the digits standing alone on one line). */
  lastTanFor(email: string, timeoutMs?: number): Promise<string>;
  countTo(email: string): number;
  /** Resolves once `condition` holds (checked now and at each arrival), for mails sent in the background. */
  waitUntil(condition: () => boolean, timeoutMs?: number): Promise<void>;
  clear(): void;
  /** How many SMTP connections clients have opened so far. */
  connectionCount(): number;
  /** The next `count` mails are refused with `451` (temporary failure), as a mail server in trouble would. */
  failNext(count: number): void;
  close(): Promise<void>;
}

const TAN_LINE = /^[ \t]*(\d{4,12})[ \t]*$/gm;

function isTo(mail: CapturedMail, email: string): boolean {
  const wanted = email.toLowerCase();
  return mail.to.split(',').some((address) => address.trim().toLowerCase() === wanted);
}

/** The TAN of a mail: the only line of the text part that is nothing but 4–12 digits. */
export function extractTan(mail: CapturedMail): string {
  const found = new Set([...mail.text.matchAll(TAN_LINE)].map((match) => match[1]!));
  if (found.size !== 1) throw new Error(`expected exactly one TAN line in the mail "${mail.subject}", found ${found.size}`);
  return [...found][0]!;
}

/**
 * A real SMTP server in the test process (127.0.0.1, ephemeral port, no TLS, no auth):
 * pforte talks SMTP to it exactly as to a production relay, and tests read what arrived.
 */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  const arrivals = new Set<() => void>();
  let failures = 0;
  let connections = 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onData(stream, session, callback) {
      if (failures > 0) {
        failures--;
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('Temporary local problem, try again later'), { responseCode: 451 })));
        return;
      }
      simpleParser(stream).then(
        (parsed) => {
          messages.push({
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address).join(', '),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
          });
          for (const notify of arrivals) notify();
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as { port: number };

  function newestTo(email: string): CapturedMail | undefined {
    return messages.findLast((mail) => isTo(mail, email));
  }

  // Waits on arrivals rather than polling: resolves the moment the mail is accepted.
  function lastTo(email: string, timeoutMs = 5000): Promise<CapturedMail> {
    const present = newestTo(email);
    if (present) return Promise.resolve(present);
    return new Promise((resolve, reject) => {
      const onArrival = (): void => {
        const mail = newestTo(email);
        if (!mail) return;
        done();
        resolve(mail);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no mail to ${email} arrived within ${timeoutMs} ms (${messages.length} mails to others)`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        arrivals.delete(onArrival);
      };
      arrivals.add(onArrival);
    });
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    lastTo,
    async lastTanFor(email, timeoutMs) {
      return extractTan(await lastTo(email, timeoutMs));
    },
    connectionCount: () => connections,
    countTo(email) {
      return messages.filter((mail) => isTo(mail, email)).length;
    },
    waitUntil(condition, timeoutMs = 5000) {
      if (condition()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const onArrival = (): void => {
          if (!condition()) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`the awaited mails did not arrive within ${timeoutMs} ms (${messages.length} mails so far)`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          arrivals.delete(onArrival);
        };
        arrivals.add(onArrival);
      });
    },
    clear() {
      messages.length = 0;
      failures = 0;
    },
    failNext(count) {
      failures = count;
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
