import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import bcrypt from 'bcrypt';
import pg from 'pg';
import { countRedisCommands, deleteKeys, redisBytes } from './redis-footprint.js';
import { serveCommands } from './ipc.js';

/**
 * pforte as the bench measures it: a child process of its own (so its CPU is its own) on
 * a throw-away database of the local Postgres and a private Redis key prefix, sending mail
 * to the bench's SMTP capture. Answers the bench's commands (see `serveCommands`).
 *
 * With BENCH_PROCESSES=n (n > 1) it is n pforte processes on one port, as a deployment
 * runs several behind a load balancer: this process prepares the database and hands
 * connections to n workers in turn (node:cluster, round robin); its `cpu` is the sum of
 * all of them.
 */
const PG_ADMIN = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PASSWORD = 'Bench-Passw0rd!';
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 1);
export const BENCH_AGENTS = 16;

/** What every process of one bench pforte shares; a worker gets it from its primary. */
interface Shared { port: number; dbUrl: string; prefix: string; cookieSecret: string; keySecret: string }

const redisCounts = countRedisCommands();
// Pages and mails render from cached templates, as in production.
process.env.NODE_ENV ??= 'production';
const { buildApp } = await import('../src/app.js');
const { loadConfig } = await import('../src/config/index.js');
const { createLogger } = await import('../src/observability/logger.js');
const { openRuntime } = await import('../src/runtime.js');

const configOf = (shared: Shared) => loadConfig({
  ISSUER: `http://127.0.0.1:${shared.port}`, DATABASE_URL: shared.dbUrl, REDIS_URL, LOG_LEVEL: 'silent',
  COOKIE_SECRETS: shared.cookieSecret, KEY_ENCRYPTION_SECRET: shared.keySecret,
  SMTP_URL: process.env.BENCH_SMTP_URL!, BCRYPT_COST: '4',
  // Each simulated agent signs in many times a minute: the per-account TAN budget allows it.
  TAN_MAX_SENDS_PER_HOUR: '1000',
  // ...back to back, and many agents share the bench's few addresses: no cooldown, no per-IP TAN or
  // agent budget (password posts keep theirs: the flood rows measure them).
  TAN_RESEND_COOLDOWN_SECONDS: '0',
  RATE_LIMIT_AGENT_PER_IP_PER_MINUTE: '100000',
  RATE_LIMIT_TAN_PER_IP_PER_MINUTE: '100000',
  // Every simulated browser speaks from an address of its own (X-Forwarded-For).
  TRUST_PROXY: 'true',
});
const logger = createLogger({ level: 'silent' });
const cpuMsOfThisProcess = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };

if (cluster.isWorker) {
  // A worker: pforte on the primary's database and port; answers its primary's CPU question.
  const shared = JSON.parse(process.env.BENCH_SHARED!) as Shared;
  const runtime = await openRuntime(configOf(shared), logger, { keyPrefix: shared.prefix });
  const app = await buildApp({ ...runtime, logger });
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(shared.port, '127.0.0.1', resolve));
  process.on('message', (message: { cpu?: number }) => { if (message.cpu !== undefined) process.send!({ cpu: message.cpu, ms: cpuMsOfThisProcess() }); });
  process.send!({ listening: true });
} else {
  await primary();
}

async function primary() {
  const dbName = `pforte_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const dbUrl = new URL(PG_ADMIN);
  dbUrl.pathname = `/${dbName}`;
  const shared: Shared = { port, dbUrl: dbUrl.href, prefix: `bench:${randomBytes(4).toString('hex')}:`, cookieSecret: randomBytes(32).toString('hex'), keySecret: randomBytes(32).toString('hex') };
  const config = configOf(shared);
  const { prefix } = shared;
  const runtime = await openRuntime(config, logger, { keyPrefix: prefix });
  let pgStatements = 0;
  runtime.db.on('query', (q: { sql: string }) => { pgStatements += 1; if (process.env.BENCH_TRACE_SQL) console.error('SQL', q.sql.slice(0, 90)); });
  if (PROCESSES > 1) {
    // The workers take the port over (the database and signing keys exist already: created by openRuntime).
    await new Promise<void>((resolve) => server.close(() => resolve()));
  } else {
    const app = await buildApp({ ...runtime, logger });
    server.on('request', app.callback());
  }
  const { services } = runtime;
  const machine = await services.clients.create({ name: 'bench-machine', grantTypes: ['client_credentials'] });
  const web = await services.clients.create({ name: 'bench-web', redirectUris: ['https://rp.example/cb'], firstParty: true });
  for (const email of ['bench@example.com', 'flood.victim@example.com', 'real.user@example.com']) {
    await services.accounts.create({ email, password: PASSWORD });
  }
  // The default-cost row: an account whose stored hash has bcrypt's default cost (12).
  const slow = await services.accounts.create({ email: 'slow@example.com', password: PASSWORD });
  await runtime.db('accounts').where({ id: slow.id }).update({ password_hash: await bcrypt.hash(PASSWORD, 12) });
  const agents: { email: string; agentNumber: string }[] = [];
  for (let i = 0; i < BENCH_AGENTS; i += 1) {
    const digits = String(1000 + i);
    const email = `agent${digits}@example.com`;
    await services.accounts.create({ email, agentNumber: `60/123/${digits}` });
    agents.push({ email, agentNumber: `60/123/${digits}` });
  }

  const workers = PROCESSES > 1 ? await startWorkers(shared) : [];
  serveCommands({
    cpu: async () => cpuMsOfThisProcess() + (await Promise.all(workers.map((worker) => worker.cpuMs()))).reduce((a, b) => a + b, 0),
    setup: () => ({
      base: config.issuer,
      machine: { id: machine.client_id, secret: machine.client_secret },
      web: { id: web.client_id, secret: web.client_secret },
      agents,
      bcryptCost: config.passwords.bcryptCost,
    }),
    counters: () => ({ pgStatements, redisCommands: redisCounts.commands(), redisWrites: redisCounts.writes() }),
    redisBytes: () => redisBytes(REDIS_URL, prefix),
    async stop() {
      for (const worker of workers) worker.kill();
      server.closeAllConnections();
      server.close();
      await runtime.close();
      await deleteKeys(REDIS_URL, prefix);
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    },
  });
  process.send!({ id: 0, result: 'ready' });
}

/** Starts the workers of a BENCH_PROCESSES run; each answers how much CPU it used. */
async function startWorkers(shared: Shared) {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  return Promise.all(Array.from({ length: PROCESSES }, async () => {
    const worker = cluster.fork({ ...process.env, BENCH_SHARED: JSON.stringify(shared) });
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (message: { listening?: boolean }) => { if (message.listening) resolve(); });
      worker.once('exit', (code) => reject(new Error(`bench worker exited with ${code}`)));
    });
    let asked = 0;
    return {
      kill: () => worker.kill(),
      cpuMs: () => new Promise<number>((resolve) => {
        const id = ++asked;
        const answer = (message: { cpu?: number; ms?: number }) => {
          if (message.cpu !== id) return;
          worker.off('message', answer);
          resolve(message.ms!);
        };
        worker.on('message', answer);
        worker.send({ cpu: id });
      }),
    };
  }));
}
