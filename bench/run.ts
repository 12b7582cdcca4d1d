import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/observability/logger.js';
import { openRuntime } from '../src/runtime.js';
import type { FloodAttacker, FloodOrder, FloodReport } from './flood-worker.js';

/**
 * `npm run bench`: a real pforte on a throw-away database of the local Postgres and a
 * private Redis key prefix, measured over loopback. Prints latency percentiles and
 * throughput; nothing here asserts a time.
 */
const PG_ADMIN = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function measure(name: string, total: number, concurrency: number, op: () => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      next += 1;
      const t0 = performance.now();
      await op();
      latencies.push(performance.now() - t0);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(1);
  console.log(`${name.padEnd(56)} n=${total} c=${concurrency}  p50=${pct(0.5)}ms p95=${pct(0.95)}ms p99=${pct(0.99)}ms  ${(total / seconds).toFixed(0)}/s`);
}

async function main() {
  // Pages and mails render from cached templates, as in production (only rendering reads this;
  // the configuration below stays the laptop's).
  process.env.NODE_ENV ??= 'production';
  const dbName = `pforte_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const dbUrl = new URL(PG_ADMIN);
  dbUrl.pathname = `/${dbName}`;
  const config = loadConfig({
    ISSUER: `http://127.0.0.1:${port}`, DATABASE_URL: dbUrl.href, REDIS_URL, LOG_LEVEL: 'silent',
    COOKIE_SECRETS: randomBytes(32).toString('hex'), KEY_ENCRYPTION_SECRET: randomBytes(32).toString('hex'),
    // The flood scenario speaks for many client addresses through X-Forwarded-For.
    TRUST_PROXY: 'true',
  });
  const logger = createLogger({ level: 'silent' });
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const runtime = await openRuntime(config, logger, { keyPrefix: prefix });
  try {
    const app = await buildApp({ ...runtime, logger });
    server.on('request', app.callback());
    const base = config.issuer;
    const machine = await runtime.services.clients.create({ name: 'bench-machine', grantTypes: ['client_credentials'] });
    const web = await runtime.services.clients.create({ name: 'bench-web', redirectUris: ['https://rp.example/cb'], firstParty: true });
    await runtime.services.accounts.create({ email: 'bench@example.com', password: 'Bench-Passw0rd!' });
    const basic = `Basic ${Buffer.from(`${machine.client_id}:${machine.client_secret}`).toString('base64')}`;

    // BENCH_ONLY=flood runs the password flood alone.
    if (process.env.BENCH_ONLY !== 'flood') {
      await measure('GET /.well-known/openid-configuration', 2000, 10, async () => { await (await fetch(`${base}/.well-known/openid-configuration`)).arrayBuffer(); });
      await measure('POST /token client_credentials', 2000, 10, async () => {
        const res = await fetch(`${base}/token`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
        if (res.status !== 200) throw new Error(`token ${res.status}`);
        await res.arrayBuffer();
      });
      const authUrl = `${base}/auth?client_id=${web.client_id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://rp.example/cb')}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`;
      await measure('GET /auth -> interaction (new browser)', 2000, 10, async () => {
        const res = await fetch(authUrl, { redirect: 'manual' });
        if (res.status !== 303) throw new Error(`auth ${res.status}`);
        await res.arrayBuffer();
      });
      const signIn = signInSteps(base, web.client_id, web.client_secret!);
      await measure(`full sign-in: password + code exchange (cost ${config.passwords.bcryptCost})`, 40, 2, async () => {
        await signIn.exchange(await signIn.withPassword(new Map()));
      });
      const signedIn = new Map<string, string>();
      await signIn.exchange(await signIn.withPassword(signedIn));
      await measure('SSO: signed-in browser, /auth + code exchange', 1000, 10, async () => {
        await signIn.exchange(await signIn.silently(signedIn));
      });
      await measure(`password check (bcrypt cost ${config.passwords.bcryptCost})`, 40, 2, async () => {
        const { isValid } = await runtime.services.accounts.verifyPassword('bench@example.com', 'Bench-Passw0rd!');
        if (!isValid) throw new Error('password');
      });
    }
    await passwordFlood(base, web.client_id, web.client_secret!, runtime.services.accounts, config.passwords.bcryptCost);
  } finally {
    server.close();
    await runtime.close();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/**
 * Item 9 of issue 7: how much slower a real sign-in gets while wrong-password posts flood
 * in. Each round fires FLOOD_SIZE posts at once and, right behind them, one real sign-in
 * (password + code exchange) from an address of its own; the flood's answers are counted
 * (401 = a password was checked or a lock answered, 429 = refused before any work).
 * Scenarios: the real sign-in alone; a flood from one address at one account; from
 * FLOOD_SIZE addresses at one account; with BENCH_SPRAY=1 also from FLOOD_SIZE addresses at
 * as many unknown addresses (a botnet spraying: no per-IP or per-account limit applies and
 * every post is a fresh bcrypt; only capacity helps, so a round takes FLOOD_SIZE hashes).
 * For comparison, a burst of as many plain login-page views: what is left of a flood once
 * no password is hashed is the cost of that many requests.
 * Bounded: at most FLOOD_ROUNDS rounds and about FLOOD_BUDGET_MS per scenario.
 */
const FLOOD_SIZE = 200;
const FLOOD_ROUNDS = Number(process.env.BENCH_FLOOD_ROUNDS ?? 12);
const FLOOD_BUDGET_MS = 25_000;

async function passwordFlood(base: string, clientId: string, clientSecret: string, accounts: { create(input: { email: string; password: string }): Promise<unknown> }, cost: number) {
  await accounts.create({ email: 'flood.victim@example.com', password: 'Victim-Passw0rd!' });
  await accounts.create({ email: 'real.user@example.com', password: 'Bench-Passw0rd!' });
  const attackers: FloodAttacker[] = await Promise.all(Array.from({ length: FLOOD_SIZE }, async () => {
    const jar = new Map<string, string>();
    const interaction = await signInSteps(base, clientId, clientSecret).open(jar);
    return { interaction, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
  }));
  const worker = new Worker(new URL('./flood-worker.js', import.meta.url), { workerData: { base, attackers } });
  const nextReport = () => new Promise<FloodReport>((resolve) => worker.once('message', resolve));
  let realIp = 1;
  const realSignIn = async () => {
    const steps = signInSteps(base, clientId, clientSecret, { 'x-forwarded-for': `192.0.2.${realIp++}` }, 'real.user@example.com');
    const t0 = performance.now();
    await steps.exchange(await steps.withPassword(new Map()));
    return performance.now() - t0;
  };
  let scenarioNo = 0;
  const scenario = async (name: string, kind?: FloodOrder['kind']) => {
    scenarioNo += 1;
    const latencies: number[] = [];
    const drains: number[] = [];
    const statuses = new Map<number, number>();
    const started = performance.now();
    for (let round = 0; round < FLOOD_ROUNDS && performance.now() - started < FLOOD_BUDGET_MS; round += 1) {
      const fired = performance.now();
      let answered: Promise<FloodReport> | undefined;
      if (kind) {
        const firing = nextReport();
        worker.postMessage({ kind, scenarioNo, round } satisfies FloodOrder);
        await firing;
        answered = nextReport();
      }
      latencies.push(await realSignIn());
      const report = await answered;
      if (report?.type === 'answered') {
        for (const [status, n] of Object.entries(report.statuses)) statuses.set(Number(status), (statuses.get(Number(status)) ?? 0) + n);
        drains.push(performance.now() - fired);
      }
    }
    latencies.sort((a, b) => a - b);
    drains.sort((a, b) => a - b);
    const answers = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}x${n}`).join(' ');
    const flood = kind ? `  flood answers: ${answers}, all in after ${percentile(drains, 0.5).toFixed(0)}ms (p50)` : '';
    console.log(`${name.padEnd(56)} rounds=${latencies.length}  p50=${percentile(latencies, 0.5).toFixed(0)}ms p95=${percentile(latencies, 0.95).toFixed(0)}ms${flood}`);
    return { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) };
  };
  try {
    console.log(`\npassword flood (bcrypt cost ${cost}): a real sign-in while ${FLOOD_SIZE} wrong-password posts arrive at once`);
    const alone = await scenario('real sign-in alone');
    const report = (result: { p50: number; p95: number }) =>
      console.log(`${''.padEnd(56)} ratio to alone: p50 ${(result.p50 / alone.p50).toFixed(2)}x  p95 ${(result.p95 / alone.p95).toFixed(2)}x`);
    report(await scenario('flood from one address at one account', 'one-ip'));
    report(await scenario(`flood from ${FLOOD_SIZE} addresses at one account`, 'many-ips'));
    // For comparison: the same burst of plain login-page views, without any password work.
    report(await scenario(`${FLOOD_SIZE} login-page views from ${FLOOD_SIZE} addresses (no password)`, 'pages'));
    if (process.env.BENCH_SPRAY === '1') report(await scenario(`flood from ${FLOOD_SIZE} addresses at ${FLOOD_SIZE} addresses`, 'spray'));
  } finally {
    await worker.terminate();
  }
}

/** A browser (cookie map) going through pforte's pages, and the relying party's code exchange. */
function signInSteps(base: string, clientId: string, clientSecret: string, headers: Record<string, string> = {}, email = 'bench@example.com') {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = 'https://rp.example/cb';
  const authUrl = `${base}/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid email', redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: 'S256' })}`;
  const go = async (jar: Map<string, string>, url: string, form?: Record<string, string>) => {
    const res = await fetch(new URL(url, base), {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { ...headers, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    await res.arrayBuffer();
    return { location: res.headers.get('location') ?? '', status: res.status };
  };
  const follow = async (jar: Map<string, string>, location: string) => {
    let next = location;
    while (!next.startsWith(redirectUri)) next = (await go(jar, next)).location;
    return new URL(next).searchParams.get('code')!;
  };
  return {
    async withPassword(jar: Map<string, string>): Promise<string> {
      const { location: interaction } = await go(jar, authUrl);
      const answer = await go(jar, `${interaction}/password`, { email, password: 'Bench-Passw0rd!' });
      if (answer.status !== 303) throw new Error(`password ${answer.status}`);
      return follow(jar, answer.location);
    },
    async silently(jar: Map<string, string>): Promise<string> {
      return follow(jar, (await go(jar, authUrl)).location);
    },
    /** A login page of a fresh interaction (its URL). */
    async open(jar: Map<string, string>): Promise<string> {
      return (await go(jar, authUrl)).location;
    },
    async exchange(code: string): Promise<void> {
      const res = await fetch(`${base}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }).toString(),
      });
      if (res.status !== 200) throw new Error(`code exchange ${res.status}`);
      await res.arrayBuffer();
    },
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
