/**
 * Errors that mean "a backing service (Postgres, Redis, SMTP) cannot be reached right now",
 * as opposed to a bug: they become "temporarily unavailable" (503), never a 500 and never
 * a page that blames the relying party. Drivers differ in how they say it, so both the
 * error class names and the codes/wordings they use are listed; a wrapped error counts
 * by its cause.
 */
const UNAVAILABLE_NAMES = new Set([
  'MaxRetriesPerRequestError', // ioredis: command failed over reconnects (`maxRetriesPerRequest`)
  'ClusterAllFailedError', // ioredis Cluster: no node answered
  'KnexTimeoutError', // knex: no pool connection within acquireConnectionTimeout
]);

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNECTION', 'ESOCKET']);

// Wordings of the same conditions where a driver sets no code (lower case).
const UNAVAILABLE_WORDING = /connection is closed|max retries per request|maxretriesperrequest|command timed out|stream isn't writeable|none of the sentinels are available|failed to refresh slots cache|knex: timeout acquiring|connection terminated|timeout exceeded when trying to connect|query read timeout|connect econn|the database system is (starting|shutting) up/;

export function isUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { name, code, message, cause } = error as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
  if (typeof name === 'string' && UNAVAILABLE_NAMES.has(name)) return true;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (typeof message === 'string' && UNAVAILABLE_WORDING.test(message.toLowerCase())) return true;
  // Postgres itself refusing: too many connections, shutting down, cannot connect now.
  if (typeof code === 'string' && /^(53300|57P01|57P02|57P03|08\d{3})$/.test(code)) return true;
  return isUnavailable(cause, depth + 1);
}
