import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/observability/logger.js';
import { openRuntime } from '../src/runtime.js';

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
  } finally {
    server.close();
    await runtime.close();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}

/** A browser (cookie map) going through pforte's pages, and the relying party's code exchange. */
function signInSteps(base: string, clientId: string, clientSecret: string) {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = 'https://rp.example/cb';
  const authUrl = `${base}/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid email', redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: 'S256' })}`;
  const go = async (jar: Map<string, string>, url: string, form?: Record<string, string>) => {
    const res = await fetch(new URL(url, base), {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    await res.arrayBuffer();
    return res.headers.get('location') ?? '';
  };
  const follow = async (jar: Map<string, string>, location: string) => {
    let next = location;
    while (!next.startsWith(redirectUri)) next = await go(jar, next);
    return new URL(next).searchParams.get('code')!;
  };
  return {
    async withPassword(jar: Map<string, string>): Promise<string> {
      const interaction = await go(jar, authUrl);
      return follow(jar, await go(jar, `${interaction}/password`, { email: 'bench@example.com', password: 'Bench-Passw0rd!' }));
    },
    async silently(jar: Map<string, string>): Promise<string> {
      return follow(jar, await go(jar, authUrl));
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
