/**
 * Errors raised by domain code: a stable snake_case `code` (also the i18n key of the
 * message shown to people), an HTTP status, and the form field it belongs to, if any.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status = 400,
    readonly field?: string,
    message?: string,
  ) {
    super(message ?? code);
    this.name = 'DomainError';
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super(`${what}_not_found`, 404, undefined, `${what} not found`);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, field?: string, message?: string) {
    super(code, 409, field, message);
  }
}

/** Input that failed validation; `problems` maps field to code. */
export class ValidationError extends DomainError {
  constructor(readonly problems: Record<string, string>) {
    super('invalid_input', 400, Object.keys(problems)[0], Object.entries(problems).map(([f, c]) => `${f}: ${c}`).join('; '));
  }
}
