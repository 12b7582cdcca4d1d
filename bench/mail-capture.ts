import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * The bench's mail server (loopback, no TLS, no auth): pforte sends TAN mails to it over
 * SMTP as to a relay; an agent's browser waits here for its next TAN. (The tests' richer
 * capture lives under test/, which the Docker build does not copy.)
 */
export async function startMailCapture() {
  const tans = new Map<string, string[]>();
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        const tan = /^[ \t]*(\d{4,12})[ \t]*$/m.exec(mail.text ?? '')?.[1];
        for (const { address } of session.envelope.rcptTo) {
          if (tan) tans.set(address.toLowerCase(), [...(tans.get(address.toLowerCase()) ?? []), tan]);
        }
        waiters.forEach((wake) => wake());
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  const received = (email: string) => tans.get(email.toLowerCase()) ?? [];
  return {
    url: `smtp://127.0.0.1:${port}`,
    /** How many TANs `email` has received so far. */
    count: (email: string) => received(email).length,
    /** The TAN number `index` (0-based) to `email`, waiting for it to arrive. */
    tan(email: string, index: number, timeoutMs = 10_000): Promise<string> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const tan = received(email)[index];
          if (tan === undefined) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(tan);
        };
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`no TAN for ${email} within ${timeoutMs} ms`)); }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type MailCapture = Awaited<ReturnType<typeof startMailCapture>>;
