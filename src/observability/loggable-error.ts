import { AppError } from '../errors/index.js';

/**
 * What of an unexpected error may go into a log line. Driver and library messages carry
 * SQL text, bound values, Redis commands or row data (a pg error's message starts with
 * the query; its stack starts with the message), so only these are kept:
 * - the error's class name and its code (a Postgres SQLSTATE, a Node or OAuth code),
 * - the message only for programming errors of our own code (TypeError, ReferenceError,
 *   RangeError without a code) and for pforte's domain errors, whose messages we write,
 * - the stack frames without the message line(s) above them.
 */
export function loggableError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: typeof error };
  const { code, error: oauthCode } = error as Error & { code?: unknown; error?: unknown };
  const codeValue = typeof code === 'string' || typeof code === 'number' ? code : typeof oauthCode === 'string' ? oauthCode : undefined;
  return {
    name: error.constructor?.name || error.name,
    ...(codeValue !== undefined ? { code: String(codeValue).slice(0, 64) } : {}),
    ...(hasOwnMessage(error, codeValue) ? { message: error.message } : {}),
    ...(error.stack ? { frames: stackFrames(error.stack) } : {}),
  };
}

const PROGRAMMING_ERRORS = new Set<unknown>([TypeError, ReferenceError, RangeError]);

function hasOwnMessage(error: Error, code: unknown): boolean {
  if (error instanceof AppError) return true;
  // Node's own TypeErrors (ERR_INVALID_ARG_TYPE...) quote the offending value; their code says enough.
  return code === undefined && PROGRAMMING_ERRORS.has(error.constructor);
}

/** Only the "at ..." lines: where it happened, not what the message said. */
function stackFrames(stack: string): string {
  return stack.split('\n').filter((line) => /^\s+at /.test(line)).slice(0, 15).join('\n');
}
