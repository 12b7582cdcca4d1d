/**
 * Every error code pforte answers with, and its HTTP status: the pages, the CLI (exit
 * codes by status) and JSON answers all read this one table. A code is also the i18n
 * key `error.<code>` of the message shown to people; field problems of `invalid_input`
 * (e.g. `invalid_email`, `password_rules`) are keys of their own.
 */
export const ERRORS = {
  // The request itself
  bad_request: { status: 400 },
  invalid_input: { status: 400 },
  interaction_expired: { status: 400 },
  session_required: { status: 401 },
  csrf_failed: { status: 403 },
  forbidden: { status: 403 },
  not_found: { status: 404 },
  payload_too_large: { status: 413 },
  method_not_allowed: { status: 405 },
  unsupported_media_type: { status: 415 },
  // Bearer tokens of the admin API (RFC 6750 names)
  invalid_token: { status: 401 },
  insufficient_scope: { status: 403 },
  rate_limited: { status: 429 },
  // Things named by reference (CLI, admin API)
  user_not_found: { status: 404 },
  client_not_found: { status: 404 },
  organisation_not_found: { status: 404 },
  email_taken: { status: 409 },
  agent_number_taken: { status: 409 },
  organisation_taken: { status: 409 },
  role_taken: { status: 409 },
  signing_key_not_found: { status: 404 },
  signing_key_in_use: { status: 409 },
  account_not_pending: { status: 409 },
  // User managers (SPEC 5): refusals that change nothing
  last_user_manager: { status: 403 },
  role_not_grantable: { status: 403 },
  cannot_block_self: { status: 403 },
  // Sign-in steps
  tan_cooldown: { status: 429, field: 'tan' },
  tan_hourly_limit: { status: 429, field: 'tan' },
  // Told only after the right password (SPEC 4.8)
  account_blocked: { status: 403, field: 'password' },
  account_pending: { status: 401, field: 'password' },
  initial_password_expired: { status: 401, field: 'password' },
  // Account page
  current_password_wrong: { status: 400, field: 'current_password' },
  // Dependencies
  mail_unavailable: { status: 503 },
  unavailable: { status: 503 },
  internal: { status: 500 },
} as const satisfies Record<string, { status: number; field?: string }>;

export type ErrorCode = keyof typeof ERRORS;

export function statusOf(code: ErrorCode): number {
  return ERRORS[code].status;
}
