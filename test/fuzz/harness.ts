import { createHash } from 'node:crypto';
import { expect } from '@jest/globals';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import type { Browser } from '../helpers/browser.js';
import { TEST_REDIS_URL } from '../helpers/database.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { REFLECTION_MARKER, type BodyVariant } from './hostile-input.js';

/**
 * The fuzz suite's runner and its properties. Every case is one real HTTP request to a
 * real pforte; a case fails on a 5xx, on no answer within 5 s, on the reflection marker
 * coming back raw, or on SQL, driver or stack text in the response or in the app's log.
 *
 * Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> FUZZ_RUNS=<runs> npm test -- test/fuzz
 */
export const FUZZ_SEED = integerFromEnv('FUZZ_SEED', 20_260_407);
/** Cases per property; the suite has about 30 properties, so the default runs over 10 000 cases. */
export const FUZZ_RUNS = integerFromEnv('FUZZ_RUNS', 350);

function integerFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw) || (name === 'FUZZ_RUNS' && Number(raw) < 1)) throw new Error(`${name} must be an integer${name === 'FUZZ_RUNS' ? ' of at least 1' : ''}, got "${raw}"`);
  return Number(raw);
}
export const REQUEST_TIMEOUT_MS = 5000;
/** Jest's limit for one property: generous, so a slow machine fails on a hang, not on the total. */
export const PROPERTY_TIMEOUT_MS = 240_000;

export interface FuzzRequest {
  method: 'GET' | 'POST';
  /** Path and raw query string, sent exactly as given. */
  path: string;
  headers?: Record<string, string>;
  body?: BodyVariant;
}

export interface FuzzResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The app's log lines written while this request ran. */
  logLines: string[];
}

/** A known failure of issue 7 that another branch fixes: the property skips exactly this case. */
export interface KnownIssue {
  item: string;
  matches(request: FuzzRequest, response: FuzzResponse): boolean;
}

export interface FuzzApp {
  app: TestApp;
  /** Every log line of the app, in order. */
  logLines: string[];
  /** Cases run so far in this file, and cases the known issues excused. */
  stats: { cases: number; slowestMs: number; statuses: Map<number, number>; excused: Map<string, number> };
  send(request: FuzzRequest, cookie?: string): Promise<FuzzResponse>;
}

/**
 * Limits high enough that thousands of cases from 127.0.0.1 reach the forms instead of a
 * lock or a 429 (the limits and locks have their own tests).
 */
const GENEROUS_LIMITS = {
  LOCKOUT_THRESHOLD: '98',
  LOCKOUT_ACCOUNT_THRESHOLD: '99',
  LOCKOUT_HARD_LIMIT: '100',
  RATE_LIMIT_PASSWORD_PER_IP_PER_MINUTE: '100000',
  RATE_LIMIT_TAN_PER_IP_PER_MINUTE: '100000',
  RATE_LIMIT_AGENT_PER_IP_PER_MINUTE: '100000',
  RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE: '100000',
  RATE_LIMIT_FORGOT_PASSWORD_PER_IP_PER_MINUTE: '100000',
};

/** A pforte whose log (level info) is kept in memory, so every case can be checked against it. */
export async function startFuzzApp(env: Record<string, string> = {}): Promise<FuzzApp> {
  const logLines: string[] = [];
  const destination = { write: (line: string) => { logLines.push(line); return true; } } as unknown as NodeJS.WritableStream;
  const app = await startTestApp({ LOG_LEVEL: 'info', ...GENEROUS_LIMITS, ...env }, { logDestination: destination });
  const stats = { cases: 0, slowestMs: 0, statuses: new Map<number, number>(), excused: new Map<string, number>() };
  process.stdout.write(`fuzz: FUZZ_SEED=${FUZZ_SEED} FUZZ_RUNS=${FUZZ_RUNS}\n`);
  return {
    app,
    logLines,
    stats,
    async send(request, cookie) {
      const logStart = logLines.length;
      const headers: Record<string, string> = { 'accept-language': 'en', ...request.headers };
      if (cookie) headers.cookie = cookie;
      if (request.body?.contentType !== undefined) headers['content-type'] = request.body.contentType;
      const started = performance.now();
      const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
      let res: Response;
      let text: string;
      try {
        // A Buffer body, so fetch adds no content type of its own.
        res = await fetch(`${app.url}${request.path}`, {
          method: request.method,
          headers,
          body: request.body ? Buffer.from(request.body.body, 'utf8') : undefined,
          redirect: 'manual',
          signal,
        });
        text = await res.text();
      } catch (error) {
        const reason = signal.aborted ? `no answer within ${REQUEST_TIMEOUT_MS} ms` : `request failed (${(error as Error).message})`;
        throw new Error(`${reason}: ${request.method} ${request.path.slice(0, 300)}`);
      }
      stats.cases += 1;
      stats.slowestMs = Math.max(stats.slowestMs, performance.now() - started);
      stats.statuses.set(res.status, (stats.statuses.get(res.status) ?? 0) + 1);
      return { status: res.status, headers: res.headers, text, logLines: logLines.slice(logStart) };
    },
  };
}

/** Text that must never reach a person or a log: SQL, driver and connection errors, stack frames. */
const LEAKS: ReadonlyArray<readonly [string, RegExp]> = [
  // No `<` or `>` between select and from: an HTML <select> followed by the word "from" is no SQL.
  ['SQL', /\bselect\s[^<>\n]{0,200}\bfrom\s|\binsert\s+into\b|\bdelete\s+from\b|\bupdate\s+"?\w+"?\s+set\b/i],
  ['Postgres message', /syntax error at or near|invalid input syntax|invalid byte sequence|violates [a-z ]*constraint|relation "[^"]*" does not exist|unterminated quoted/i],
  ['driver name', /\bknex\b|\bpg-protocol\b|node_modules|\bioredis\b|ReplyError/i],
  ['connection error', /\bE(?:CONNREFUSED|CONNRESET|TIMEDOUT|PIPE|ADDRINUSE)\b/],
  ['stack frame', /\bat (?:async )?[\w$.<>]+ \((?:file:|node:|\/)[^)]*:\d+:\d+\)|\n\s+at (?:file:|node:|\/)/],
  ['JavaScript error', /\b(?:TypeError|ReferenceError|RangeError|SyntaxError): /],
];

export function leaksIn(text: string): string[] {
  return LEAKS.filter(([, pattern]) => pattern.test(text)).map(([name]) => name);
}

/** The properties every single case must keep. Returns the violations found. */
export function violations(response: FuzzResponse): string[] {
  const found: string[] = [];
  if (response.status >= 500) found.push(`status ${response.status}`);
  if (response.text.includes(REFLECTION_MARKER)) found.push('input reflected unescaped in the body');
  for (const [name, value] of response.headers) {
    if (value.includes(REFLECTION_MARKER)) found.push(`input reflected unescaped in header ${name}`);
  }
  for (const leak of leaksIn(response.text)) found.push(`${leak} in the response`);
  for (const line of response.logLines) for (const leak of leaksIn(line)) found.push(`${leak} in the log: ${line.slice(0, 300)}`);
  return found;
}

/** Asserts the per-case properties, unless a known issue of issue 7 explains the case. */
export function checkCase(fuzz: FuzzApp, request: FuzzRequest, response: FuzzResponse, known: readonly KnownIssue[] = [], extra: readonly string[] = []): void {
  const found = [...violations(response), ...extra];
  if (found.length === 0) return;
  const excuse = known.find((issue) => issue.matches(request, response));
  if (excuse) {
    fuzz.stats.excused.set(excuse.item, (fuzz.stats.excused.get(excuse.item) ?? 0) + 1);
    return;
  }
  const shown = { method: request.method, path: request.path.slice(0, 500), headers: request.headers, body: request.body && { ...request.body, body: request.body.body.slice(0, 500) } };
  throw new Error(`${found.join('; ')}\nrequest: ${JSON.stringify(shown)}\nresponse ${response.status}: ${response.text.slice(0, 400)}`);
}

/** Runs one property with the suite's seed and run count; fast-check prints seed and path on failure. */
export async function runProperty<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>, runs = FUZZ_RUNS): Promise<void> {
  await fc.assert(fc.asyncProperty(arbitrary, predicate), { seed: FUZZ_SEED, numRuns: runs, endOnFailure: process.env.FUZZ_SHRINK !== 'true' });
}

/** The Cookie header a browser would send to `path`. */
export function cookieFor(browser: Browser, path: string): string {
  const access = { domain: new URL(browser.baseUrl).hostname, path, secure: false, script: false } as never;
  return browser.agent.jar.getCookies(access).map((c) => `${c.name}=${c.value}`).join('; ');
}

/**
 * Everything a request could change: the rows of accounts, clients and devices, the
 * number of audit events, and every Redis key under the app's prefix with a digest of its value.
 */
export async function captureState(app: TestApp): Promise<Record<string, string>> {
  // Keys sorted: a re-saved session may list the same fields in another order.
  const canonical = (_key: string, value: unknown) => (value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)))
    : value);
  const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value, canonical)).digest('hex').slice(0, 16);
  const db = app.runtime.db;
  const [accounts, clients, devices, audit] = await Promise.all([
    db('accounts').select('*').orderBy('id'),
    db('clients').select('*').orderBy('client_id'),
    db('trusted_devices').select('*').orderBy('id'),
    db('audit_events').count({ n: '*' }).first(),
  ]);
  const state: Record<string, string> = {
    'pg:accounts': digest(accounts),
    'pg:clients': digest(clients),
    'pg:trusted_devices': digest(devices),
    'pg:audit_events (count)': String(audit?.n),
  };
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${app.redisPrefix}*`, 'COUNT', 1000);
      cursor = next;
      const [values, ttls] = await Promise.all([Promise.all(keys.map((key) => redisValue(redis, key))), Promise.all(keys.map((key) => redis.pttl(key)))]);
      keys.forEach((key, i) => {
        if (COUNTS_REFUSALS.test(key)) return;
        // Keys about to expire (codes live 60 s) may vanish during a batch without any request.
        const isExpiring = ttls[i]! >= 0 && ttls[i]! < EXPIRING_MS;
        state[`redis:${key.slice(app.redisPrefix.length)}${isExpiring ? EXPIRING_MARK : ''}`] = digest(values[i]);
      });
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return state;
}

/**
 * A Redis value to compare. oidc-provider saves a loaded session again on every request
 * (new iat/exp, fields in another order, same content): that bookkeeping is left out.
 */
async function redisValue(redis: Redis, key: string): Promise<unknown> {
  const type = await redis.type(key);
  // oidc-provider artifacts are JSON strings; a session re-saved on every request gets a new iat/exp only.
  if (type === 'string') return withoutSaveTimes(await redis.get(key));
  if (type !== 'hash') return (await redis.dumpBuffer(key))?.toString('base64');
  const { payload, ...rest } = await redis.hgetall(key);
  return payload ? { ...rest, payload: withoutSaveTimes(payload) } : rest;
}

function withoutSaveTimes(text: string | null): unknown {
  try {
    const parsed = JSON.parse(text ?? '') as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return text;
    const { iat: _iat, exp: _exp, ...content } = parsed as Record<string, unknown>;
    return content;
  } catch {
    return text;
  }
}

/**
 * Rate limits count requests, refused ones included, by design (issue 7 items 9 and 11 add
 * per-IP limits that other branches build): their counters are no state a refusal may not touch.
 */
const COUNTS_REFUSALS = /:[\w-]*(?:rate|throttle|flood)[\w-]*:/i;

const EXPIRING_MS = 10 * 60_000;
const EXPIRING_MARK = ' (expiring)';

/** What differs between two captured states: added, removed and changed entries (expiry aside). */
export function stateChanges(before: Record<string, string>, after: Record<string, string>): string[] {
  const unmarked = (state: Record<string, string>) => new Map(Object.entries(state).map(([key, value]) => [key.replace(EXPIRING_MARK, ''), value]));
  const [was, is] = [unmarked(before), unmarked(after)];
  const changes: string[] = [];
  for (const [key, value] of is) {
    if (!was.has(key)) changes.push(`added ${key}`);
    else if (was.get(key) !== value) changes.push(`changed ${key}`);
  }
  for (const key of Object.keys(before)) {
    if (!is.has(key.replace(EXPIRING_MARK, '')) && !key.endsWith(EXPIRING_MARK)) changes.push(`removed ${key}`);
  }
  return changes;
}

/**
 * Runs a batch of requests that must all be refused, and checks that they are (4xx) and
 * that nothing changed: no row, no audit event, no Redis key or value.
 */
export async function expectRejectedWithoutStateChange<T>(
  fuzz: FuzzApp,
  arbitrary: fc.Arbitrary<T>,
  sendCase: (value: T) => Promise<{ request: FuzzRequest; response: FuzzResponse }>,
  known: readonly KnownIssue[] = [],
  runs = FUZZ_RUNS,
): Promise<void> {
  const before = await captureState(fuzz.app);
  await runProperty(arbitrary, async (value) => {
    const { request, response } = await sendCase(value);
    checkCase(fuzz, request, response, known);
    if (known.some((issue) => issue.matches(request, response))) return;
    if (response.status < 400 || response.status >= 500) {
      throw new Error(`expected a refusal, got ${response.status} for ${JSON.stringify({ ...request, body: request.body && { ...request.body, body: request.body.body.slice(0, 300) } })}`);
    }
  }, runs);
  expect(stateChanges(before, await captureState(fuzz.app)).slice(0, 20)).toEqual([]);
}

/** One line per file: how many cases ran, and which known issues excused how many. */
export function report(fuzz: FuzzApp, label: string): void {
  const excused = [...fuzz.stats.excused].map(([item, n]) => `${n} × ${item}`).join('; ');
  const statuses = [...fuzz.stats.statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
  process.stdout.write(`fuzz ${label}: ${fuzz.stats.cases} cases (seed ${FUZZ_SEED}), ${fuzz.logLines.length} log lines scanned, slowest answer ${Math.round(fuzz.stats.slowestMs)} ms, statuses ${statuses}${excused ? `; excused as known: ${excused}` : ''}\n`);
}
