import { ERRORS, statusOf, type ErrorCode } from './catalogue.js';

export { ERRORS, statusOf, type ErrorCode };

/** Values a message of the catalogue may name, e.g. `{ seconds: 42 }` for `tan_cooldown`. */
export type ErrorVars = Readonly<Record<string, string | number>>;

export interface AppErrorOptions {
  /** The form field the error belongs to; defaults to the catalogue's. */
  field?: string;
  vars?: ErrorVars;
  /** For the log and the CLI; people see the catalogue's message. */
  message?: string;
}

/**
 * The one error type of pforte's own code: a catalogue code (its status comes from the
 * catalogue), the field it belongs to, and the values its message names. Expected
 * outcomes that are not errors (a wrong TAN, a wrong password) are returned, not thrown.
 */
export class AppError extends Error {
  readonly status: number;
  readonly field?: string;
  readonly vars: ErrorVars;

  constructor(readonly code: ErrorCode, { field, vars = {}, message }: AppErrorOptions = {}) {
    super(message ?? code);
    this.name = 'AppError';
    this.status = statusOf(code);
    this.field = field ?? (ERRORS[code] as { field?: string }).field;
    this.vars = vars;
  }
}

export class NotFoundError extends AppError {
  constructor(what: 'user' | 'client' | 'organisation') {
    super(`${what}_not_found`, { message: `${what} not found` });
  }
}

export class ConflictError extends AppError {
  constructor(code: Extract<ErrorCode, `${string}_taken`>, field?: string, message?: string) {
    super(code, { field, message });
  }
}

/** Input that failed validation; `problems` maps field to problem code. */
export class ValidationError extends AppError {
  constructor(readonly problems: Record<string, string>) {
    super('invalid_input', { field: Object.keys(problems)[0], message: Object.entries(problems).map(([f, c]) => `${f}: ${c}`).join('; ') });
  }
}

/** The JSON shape of an error (CLI `--json`, admin API): `{ error, message, problems? }`. */
export function problemOf(error: AppError): { error: ErrorCode; message: string; problems?: Record<string, string> } {
  return { error: error.code, message: error.message, ...(error instanceof ValidationError ? { problems: error.problems } : {}) };
}
