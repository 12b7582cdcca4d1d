import { z } from 'zod';
import type { Actor } from '../domain/policies/actor.js';
import { AppError, ValidationError, type ErrorCode } from '../errors/index.js';
import type { Services } from '../services.js';

/** What a handler gets: input already validated by the route's schemas, and who acts. */
export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  actor: Actor;
  services: Services;
}

/**
 * One operation of the admin API. The router and the OpenAPI document are both built
 * from a list of these, so they cannot describe different APIs.
 */
export interface AdminRoute<P = unknown, Q = unknown, B = unknown> {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI form, below /admin/api/v1: `/users/{id}/block`. */
  path: string;
  summary: string;
  tag: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** 204 answers no body. */
  status: 200 | 201 | 204;
  response?: z.ZodType;
  /** The catalogue code of a path id that names nothing (also a malformed one). */
  notFound?: ErrorCode;
  /** Domain field names → the JSON field names of this route, for problems the domain reports. */
  fields?: Readonly<Record<string, string>>;
  handle(input: RouteInput<P, Q, B>): Promise<unknown>;
}

/** A route with its types inferred from its schemas; erased to AdminRoute for the table. */
export function route<P = undefined, Q = undefined, B = undefined>(definition: AdminRoute<P, Q, B>): AdminRoute {
  return definition as unknown as AdminRoute;
}

/** Control characters never name anything, and Postgres refuses a NUL byte in text. */
const REFERENCE = /^[^\u0000-\u001f\u007f]{1,320}$/;

/** A path id: a UUID, a client id, or (as on the CLI) the unique name or email. */
export const idParam = z.object({ id: z.string().regex(REFERENCE) }).strict();

/**
 * The body of a PATCH: only the given fields change, and at least one must be given (the
 * CLI's "nothing to change"), so an empty PATCH is refused rather than audited as a change.
 */
export const changesOf = <T extends z.ZodObject>(fields: T) =>
  fields.refine((changes) => Object.keys(changes).length > 0, {
    message: 'nothing_to_change',
    // Only for a body that is otherwise valid: `{"email": …}` is an unknown field, not also "nothing to change".
    when: (payload) => payload.issues.length === 0,
  });

/**
 * An empty `problems` map without a prototype: its keys come from the request, and with
 * `{}` a key `__proto__` would set the prototype and `constructor` would seem present
 * already, so a refusal would name neither (an empty `problems`, an empty message).
 */
const noProblems = (): Record<string, string> => Object.create(null) as Record<string, string>;

/** Turns zod's issues into `problems` keyed by JSON field (query parameter) name. */
/**
 * A problem as a stable snake_case code, like the domain's: a schema's own code where it
 * names one (`nothing_to_change`), else zod's issue code (`invalid_type`, `too_big`, …),
 * never zod's English sentence, which is neither stable nor translated.
 */
const problemCode = (issue: z.core.$ZodIssue): string => (/^[a-z][a-z0-9_]*$/.test(issue.message) ? issue.message : issue.code);

export function problemsOf(error: z.ZodError): Record<string, string> {
  const problems = noProblems();
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems[[...issue.path, key].join('.')] ??= 'unknown_field';
    } else {
      problems[issue.path.length > 0 ? issue.path.join('.') : 'body'] ??= problemCode(issue);
    }
  }
  return problems;
}

/**
 * Where `value` holds a NUL character, as a problem: no field of pforte may hold one, and
 * Postgres refuses it in text and jsonb (a 500 instead of a 400), so it is refused here,
 * at the edge, for every route alike.
 */
export function nulProblems(value: unknown): Record<string, string> {
  const problems = noProblems();
  // Bodies nest at most MAX_JSON_DEPTH levels (json-body.ts); walked without recursion all the same.
  const pending: Array<{ value: unknown; path: string[] }> = [{ value, path: [] }];
  while (pending.length > 0) {
    const { value: item, path } = pending.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) problems[path.join('.') || 'body'] ??= 'contains_nul';
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) pending.push({ value: key.includes('\u0000') ? '\u0000' : child, path: [...path, key.replace(/\u0000/g, '')] });
    }
  }
  return problems;
}

export function validated<T>(schema: z.ZodType<T>, value: unknown): T {
  const nul = nulProblems(value);
  if (Object.keys(nul).length > 0) throw new ValidationError(nul);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(problemsOf(parsed.error));
  return parsed.data;
}

/** Runs domain work, naming a ValidationError's problems by the route's JSON fields. */
export async function inJsonTerms<T>(fields: Readonly<Record<string, string>> | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ValidationError) || !fields) throw error;
    throw new ValidationError(Object.fromEntries(Object.entries(error.problems).map(([field, problem]) => [fields[field] ?? field, problem])));
  }
}

/** An id of the path that matches nothing: the resource's not-found code. */
export const notFound = (code: ErrorCode = 'not_found') => new AppError(code, { message: 'no such resource' });
