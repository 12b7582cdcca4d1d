import fc from 'fast-check';
import { checkCase, runProperty, type FuzzApp, type FuzzRequest, type KnownIssue } from './harness.js';
import { formBody, percentEncode, type BodyVariant } from './hostile-input.js';

/** A form in the realistic state a person reaches it in: the POST path and the browser's cookies. */
export interface FormState {
  path: string;
  cookie: string;
  /**
   * Real values for the placeholders in `valid` (a TAN, an email, a CSRF token) that exist
   * only once the state is prepared; placeholders are unreserved characters, so they survive
   * percent-encoding and are replaced on the wire.
   */
  values?: Record<string, string>;
}

export interface FormTarget {
  name: string;
  /** A valid submission (placeholders allowed); the fuzz starts from it. */
  valid: Record<string, string>;
  /** Names a browser might add (other forms' fields, checkboxes). */
  extraNames?: readonly string[];
  prepare(): Promise<FormState>;
}

/** How many cases share one prepared state before a fresh one (flows wear out: TAN attempts, locks). */
const CASES_PER_STATE = 20;

export function withValues(body: BodyVariant, values: Record<string, string> = {}): BodyVariant {
  let text = body.body;
  for (const [placeholder, value] of Object.entries(values)) text = text.split(placeholder).join(percentEncode(value));
  return { ...body, body: text };
}

/**
 * Fuzzes one form: every case is checked against the suite's properties; a redirect means
 * the step went through (its next page is checked as well), so the next case starts afresh.
 */
export async function fuzzForm(fuzz: FuzzApp, target: FormTarget, known: readonly KnownIssue[] = [], runs?: number): Promise<void> {
  let state: FormState | undefined;
  let used = 0;
  await runProperty(formBody(target.valid, target.extraNames), async (body) => {
    state ??= await target.prepare();
    const request: FuzzRequest = { method: 'POST', path: state.path, body: withValues(body, state.values) };
    const response = await fuzz.send(request, state.cookie);
    checkCase(fuzz, request, response, known);
    // The next step's page (a TAN page naming the email, a new-password page) is shown too.
    const location = response.headers.get('location');
    if (response.status === 303 && location?.startsWith('/interaction/')) {
      const next: FuzzRequest = { method: 'GET', path: location };
      checkCase(fuzz, next, await fuzz.send(next, state.cookie), known);
    }
    used += 1;
    if (response.status === 303 || used >= CASES_PER_STATE) {
      state = undefined;
      used = 0;
    }
  }, runs);
}

/** A malformed body for one of several prepared forms, for the no-state-change batch. */
export function oneOf<T>(items: readonly T[]): fc.Arbitrary<T> {
  return fc.constantFrom(...items);
}
