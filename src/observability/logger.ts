import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; anything that could carry a credential is redacted by path. */
export function createLogger({ level, destination }: { level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level,
      base: { service: 'pforte' },
      redact: {
        paths: [
          'password', '*.password', 'tan', '*.tan', 'token', '*.token', 'secret', '*.secret',
          'client_secret', '*.client_secret', 'req.headers.cookie', 'req.headers.authorization',
          'res.headers["set-cookie"]', 'headers.cookie', 'headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    (destination ?? pino.destination(2)) as never,
  );
}
