import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { BenchBrowser, clientCredentials, exchange, get, refresh, type RelyingParty } from './flows.js';
import type { FloodAttacker, FloodOrder, FloodReport } from './flood-worker.js';
import { startServer, type BenchServer } from './ipc.js';
import { startMailCapture, type MailCapture } from './mail-capture.js';

/**
 * `npm run bench`: pforte (real Postgres, Redis, mail to an in-process SMTP capture) against
 * its ceiling, a bare oidc-provider with a Redis adapter and a login that checks nothing
 * (bench/ceiling-server.ts), each in a child process of its own. Every row alternates short
 * rounds between the two (A B A B) so machine noise hits both alike, and reports
 * throughput, the ratio and each server's CPU milliseconds per operation (stable when wall
 * clock is not). Nothing here asserts a time.
 *
 *   BENCH_QUICK=1          one short round each, concurrency 4 only (a smoke run)
 *   BENCH_ONLY=sso,flood   only these rows (keys as printed in the table)
 *   BENCH_ROUND_MS=1000    length of one round
 *   BENCH_CONCURRENCY=1,4  these concurrencies instead (default 1, 4, 16; 4 with BENCH_QUICK)
 *   BENCH_JSON=path        where the JSON goes (default dist/bench/results.json)
 *   BENCH_SPRAY=1          adds the spray scenario to the flood
 *   BENCH_CPU_PROF=dir     a V8 CPU profile of each server (node --cpu-prof)
 *   BENCH_TRACE_SQL=1, BENCH_TRACE_REDIS=1   print each statement / command pforte sends (stderr)
 */
const QUICK = process.env.BENCH_QUICK === '1';
const ONLY = process.env.BENCH_ONLY?.split(',').map((key) => key.trim());
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? (QUICK ? 400 : 1000));
const ROUNDS = QUICK ? 1 : 2;
const CONCURRENCY = process.env.BENCH_CONCURRENCY?.split(',').map(Number) ?? (QUICK ? [4] : [1, 4, 16]);
const PASSWORD = 'Bench-Passw0rd!';
const FOOTPRINT_LOGINS = QUICK ? 5 : 20;

/** One operation of one simulated client; `prepare` builds one per concurrent worker. */
type Op = () => Promise<unknown>;
interface Side {
  server: BenchServer;
  prepare?: (workers: number) => Promise<Op[]>;
  /** Instead of `prepare`: the server runs a round itself and says how many operations it did. */
  round?: (workers: number, ms: number) => Promise<number>;
}
interface Row {
  key: string; name: string; pforte: Side; ceiling: Side; roundMs?: number; concurrency?: number[];
  /** An untimed round on each side first (fresh processes: the JIT has not seen the flows yet). */
  warmupMs?: number;
}

export interface Result {
  key: string;
  name: string;
  unit: string;
  concurrency?: number;
  pforte: number;
  ceiling: number;
  ratio: number;
  pforteCpuMsPerOp?: number;
  ceilingCpuMsPerOp?: number;
  /** The whole machine's idle CPU share during the rounds of each side. */
  pforteIdlePercent?: number;
  ceilingIdlePercent?: number;
}

interface Tally { ops: number; seconds: number; cpuMs: number; idle: number; busy: number }

/** The machine's idle and busy CPU time so far (all cores, /proc/stat ticks); zeros where there is none. */
function machineTicks(): { idle: number; busy: number } {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
    const idle = fields[3]! + fields[4]!;
    return { idle, busy: fields.slice(0, 8).reduce((a, b) => a + b, 0) - idle };
  } catch {
    return { idle: 0, busy: 0 };
  }
}

async function runRound(side: Side, ops: Op[] | undefined, workers: number, ms: number, tally: Tally): Promise<void> {
  const cpu0 = await side.server.cpuMs();
  const ticks0 = machineTicks();
  const started = performance.now();
  let done = 0;
  if (side.round) {
    done = await side.round(workers, ms);
  } else {
    const until = started + ms;
    await Promise.all(ops!.map(async (op) => {
      while (performance.now() < until) {
        await op();
        done += 1;
      }
    }));
  }
  tally.seconds += (performance.now() - started) / 1000;
  const ticks1 = machineTicks();
  tally.idle += ticks1.idle - ticks0.idle;
  tally.busy += ticks1.busy - ticks0.busy;
  tally.cpuMs += (await side.server.cpuMs()) - cpu0;
  tally.ops += done;
}

async function measureRow(row: Row): Promise<Result[]> {
  const results: Result[] = [];
  for (const workers of row.concurrency ?? CONCURRENCY) {
    const [pforteOps, ceilingOps] = [await row.pforte.prepare?.(workers), await row.ceiling.prepare?.(workers)];
    if (row.warmupMs) {
      const ignored: Tally = { ops: 0, seconds: 0, cpuMs: 0, idle: 0, busy: 0 };
      await runRound(row.pforte, pforteOps, workers, row.warmupMs, ignored);
      await runRound(row.ceiling, ceilingOps, workers, row.warmupMs, ignored);
    }
    const a: Tally = { ops: 0, seconds: 0, cpuMs: 0, idle: 0, busy: 0 };
    const b: Tally = { ops: 0, seconds: 0, cpuMs: 0, idle: 0, busy: 0 };
    for (let round = 0; round < ROUNDS; round += 1) {
      await runRound(row.pforte, pforteOps, workers, row.roundMs ?? ROUND_MS, a);
      await runRound(row.ceiling, ceilingOps, workers, row.roundMs ?? ROUND_MS, b);
    }
    const result: Result = {
      key: row.key, name: row.name, unit: 'ops/s', concurrency: workers,
      pforte: a.ops / a.seconds, ceiling: b.ops / b.seconds, ratio: (a.ops / a.seconds) / (b.ops / b.seconds),
      pforteCpuMsPerOp: a.cpuMs / a.ops, ceilingCpuMsPerOp: b.cpuMs / b.ops,
      pforteIdlePercent: (100 * a.idle) / (a.idle + a.busy), ceilingIdlePercent: (100 * b.idle) / (b.idle + b.busy),
    };
    printResult(result);
    // Whether a second process had any CPU to use: the whole machine's idle share in the rounds.
    if (row.key === 'processes') console.log(`${''.padEnd(20)} machine idle: ${fmt(result.pforteIdlePercent)} % with 2 processes, ${fmt(result.ceilingIdlePercent)} % with 1`);
    results.push(result);
  }
  return results;
}

const fmt = (value: number | undefined, digits = 0) => value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(value < 10 && digits === 0 ? 1 : digits);
function printResult(r: Result): void {
  console.log(`${r.key.padEnd(20)} ${r.name.padEnd(44)} ${(r.concurrency ? `c=${r.concurrency}` : '').padEnd(5)} ${fmt(r.pforte).padStart(8)} ${fmt(r.ceiling).padStart(8)} ${r.ratio.toFixed(2).padStart(6)}  ${fmt(r.pforteCpuMsPerOp, 2).padStart(7)} ${fmt(r.ceilingCpuMsPerOp, 2).padStart(7)}  ${r.unit}`);
}

async function main() {
  const mail = await startMailCapture();
  const [pforte, ceiling] = await Promise.all([
    startServer('./pforte-server.js', { BENCH_SMTP_URL: mail.url }),
    startServer('./ceiling-server.js'),
  ]);
  try {
    const p = await pforte.call<PforteSetup>('setup');
    const c = await ceiling.call<{ base: string; web: { id: string; secret: string }; machine: { id: string; secret: string } }>('setup');
    const pWeb: RelyingParty = { base: p.base, clientId: p.web.id, clientSecret: p.web.secret };
    const pMachine: RelyingParty = { base: p.base, clientId: p.machine.id, clientSecret: p.machine.secret };
    const cWeb: RelyingParty = { base: c.base, clientId: c.web.id, clientSecret: c.web.secret };
    const cMachine: RelyingParty = { base: c.base, clientId: c.machine.id, clientSecret: c.machine.secret };
    const pSignIn = (email = 'bench@example.com') => new BenchBrowser(pWeb).signIn('password', { email, password: PASSWORD });
    const cSignIn = () => new BenchBrowser(cWeb).signIn('password', {});
    const each = (op: Op) => async (workers: number) => Array.from({ length: workers }, () => op);
    const perWorker = (make: (worker: number) => Promise<Op>) => (workers: number) => Promise.all(Array.from({ length: workers }, (_, i) => make(i)));
    const agentTan = agentSteps(pWeb, mail, p.agents);

    const rows: Row[] = [
      {
        key: 'sso', name: 'SSO: /auth -> code -> token (signed in)',
        pforte: { server: pforte, prepare: perWorker(async () => { const b = new BenchBrowser(pWeb); await b.signIn('password', { email: 'bench@example.com', password: PASSWORD }); return () => b.silently(); }) },
        ceiling: { server: ceiling, prepare: perWorker(async () => { const b = new BenchBrowser(cWeb); await b.signIn('password', {}); return () => b.silently(); }) },
      },
      { key: 'password', name: `password sign-in, bcrypt cost ${p.bcryptCost} (vs no-check)`, pforte: { server: pforte, prepare: each(() => pSignIn()) }, ceiling: { server: ceiling, prepare: each(cSignIn) } },
      {
        key: 'password-12', name: 'password sign-in, cost 12 (vs raw bcrypt)', roundMs: ROUND_MS * 2,
        pforte: { server: pforte, prepare: each(() => pSignIn('slow@example.com')) },
        ceiling: { server: ceiling, round: (workers, ms) => ceiling.call<number>('bcrypt', { cost: 12, concurrency: workers, ms }) },
      },
      { key: 'agent-tan', name: 'agent number + TAN by SMTP (vs no-check)', pforte: { server: pforte, prepare: perWorker(async (i) => () => agentTan.signIn(i)) }, ceiling: { server: ceiling, prepare: each(cSignIn) } },
      { key: 'agent-device', name: 'agent number, trusted device (vs no-check)', pforte: { server: pforte, prepare: perWorker((i) => agentTan.trustedDevice(i)) }, ceiling: { server: ceiling, prepare: each(cSignIn) } },
      {
        key: 'refresh', name: 'refresh_token (rotating)',
        pforte: { server: pforte, prepare: perWorker(async () => refreshChain(pWeb, await pSignIn())) },
        ceiling: { server: ceiling, prepare: perWorker(async () => refreshChain(cWeb, await cSignIn())) },
      },
      { key: 'client-credentials', name: 'client_credentials', pforte: { server: pforte, prepare: each(() => clientCredentials(pMachine)) }, ceiling: { server: ceiling, prepare: each(() => clientCredentials(cMachine)) } },
      { key: 'discovery', name: 'discovery document', pforte: { server: pforte, prepare: each(() => get(`${p.base}/.well-known/openid-configuration`)) }, ceiling: { server: ceiling, prepare: each(() => get(`${c.base}/.well-known/openid-configuration`)) } },
      { key: 'jwks', name: 'JWKS', pforte: { server: pforte, prepare: each(() => get(`${p.base}/jwks`)) }, ceiling: { server: ceiling, prepare: each(() => get(`${c.base}/jwks`)) } },
    ];
    const wanted = (key: string) => !ONLY || ONLY.includes(key);
    if (wanted('processes')) rows.push(...(await twoProcessRows(pforte, pWeb, mail, p.agents)));
    console.log(`pforte vs bare oidc-provider on ${cpus().length} cores, rounds of ${ROUND_MS} ms, A B ${ROUNDS > 1 ? 'A B ' : ''}per row`);
    console.log(`${'row'.padEnd(20)} ${''.padEnd(44)} ${'c'.padEnd(5)} ${'pforte'.padStart(8)} ${'ceiling'.padStart(8)} ${'ratio'.padStart(6)}  ${'CPU ms/op'.padStart(15)}`);
    const results: Result[] = [];
    if (wanted('footprint')) results.push(...(await footprint(pforte, ceiling, () => pSignIn(), cSignIn, pWeb, cWeb, await agentTan.trustedDevice(0))));
    for (const row of rows) if (wanted(row.key)) results.push(...(await measureRow(row)));
    if (wanted('flood')) results.push(...(await passwordFlood(pWeb)));
    printSummary(results);
    const path = process.env.BENCH_JSON ?? new URL('./results.json', import.meta.url).pathname;
    writeFileSync(path, `${JSON.stringify({ at: new Date().toISOString(), node: process.version, cores: cpus().length, roundMs: ROUND_MS, rounds: ROUNDS, results }, null, 2)}\n`);
    console.log(`\nJSON: ${path}`);
  } finally {
    await Promise.all([pforte.stop(), ceiling.stop(), ...pairs.map((pair) => pair.stop())]);
    await mail.close();
  }
}

/** Servers started for the two-process rows, stopped with the others. */
const pairs: BenchServer[] = [];

/**
 * Target "two processes on the 2 cores >= 1.1 x one": the same flows against two pforte
 * processes behind one port (node:cluster hands each connection to the next, as a load
 * balancer would; one database, one Redis) and against the single one. In the table the
 * pforte column is the pair, the ceiling column the single process.
 */
async function twoProcessRows(single: BenchServer, singleWeb: RelyingParty, mail: MailCapture, singleAgents: PforteSetup['agents']): Promise<Row[]> {
  const pair = await startServer('./pforte-server.js', { BENCH_SMTP_URL: mail.url, BENCH_PROCESSES: '2' });
  pairs.push(pair);
  const p2 = await pair.call<PforteSetup>('setup');
  const pairWeb: RelyingParty = { base: p2.base, clientId: p2.web.id, clientSecret: p2.web.secret };
  const sso = (rp: RelyingParty) => (workers: number) => Promise.all(Array.from({ length: workers }, async () => {
    const b = new BenchBrowser(rp);
    await b.signIn('password', { email: 'bench@example.com', password: PASSWORD });
    return () => b.silently();
  }));
  const device = (rp: RelyingParty, agents: PforteSetup['agents']) => {
    const steps = agentSteps(rp, mail, agents);
    return (workers: number) => Promise.all(Array.from({ length: workers }, (_, i) => steps.trustedDevice(i)));
  };
  const concurrency = QUICK ? [4] : [4, 16];
  const warmupMs = QUICK ? 1000 : 4000;
  return [
    { key: 'processes', name: '2 processes vs 1: SSO', concurrency, warmupMs, pforte: { server: pair, prepare: sso(pairWeb) }, ceiling: { server: single, prepare: sso(singleWeb) } },
    { key: 'processes', name: '2 processes vs 1: agent, trusted device', concurrency, warmupMs, pforte: { server: pair, prepare: device(pairWeb, p2.agents) }, ceiling: { server: single, prepare: device(singleWeb, singleAgents) } },
  ];
}

interface PforteSetup {
  base: string;
  web: { id: string; secret: string };
  machine: { id: string; secret: string };
  agents: { email: string; agentNumber: string }[];
  bcryptCost: number;
}

/** A worker's refresh token chain: each refresh rotates the token the next one uses. */
function refreshChain(rp: RelyingParty, tokens: { refresh_token?: string }): Op {
  let current = tokens.refresh_token;
  if (!current) throw new Error('no refresh token issued');
  return async () => { current = (await refresh(rp, current!)).refresh_token; };
}

/** pforte's agent login: agent number + email, then the TAN from the mail; worker i is agent i. */
function agentSteps(rp: RelyingParty, mail: MailCapture, agents: { email: string; agentNumber: string }[]) {
  const withTan = async (browser: BenchBrowser, worker: number, extra: Record<string, string> = {}) => {
    const agent = agents[worker % agents.length]!;
    const next = mail.count(agent.email);
    const { location, verifier } = await browser.authorize({ login_method: 'agent' });
    await browser.submit(location, 'agent', { agent_number: agent.agentNumber, email: agent.email });
    const tan = await mail.tan(agent.email, next);
    return exchange(rp, await browser.follow(await browser.submit(location, 'tan', { tan, ...extra })), verifier);
  };
  return {
    signIn: (worker: number) => withTan(new BenchBrowser(rp), worker),
    /** Trusts a browser once (outside the measurement); each op is then a login without TAN. */
    async trustedDevice(worker: number): Promise<Op> {
      const browser = new BenchBrowser(rp);
      await withTan(browser, worker, { trust: 'on' });
      const agent = agents[worker % agents.length]!;
      return async () => {
        const { location, verifier } = await browser.authorize({ login_method: 'agent', prompt: 'login' });
        const next = await browser.submit(location, 'agent', { agent_number: agent.agentNumber, email: agent.email });
        return exchange(rp, await browser.follow(next), verifier);
      };
    },
  };
}

/**
 * Per completed login, one after the other: Postgres statements, Redis commands (a script
 * is one), the socket writes that carried them (round trips: a pipeline is one) and Redis
 * bytes, all of them and those still there once the code has expired; and per SSO flow
 * the statements, commands and writes.
 */
async function footprint(pforte: BenchServer, ceiling: BenchServer, pSignIn: Op, cSignIn: Op, pWeb: RelyingParty, cWeb: RelyingParty, pDevice: Op): Promise<Result[]> {
  type Counters = { pgStatements: number; redisCommands: number; redisWrites: number };
  type Bytes = { all: number; longLived: number; longLivedByKind: Record<string, number> };
  const perLogin = async (server: BenchServer, op: Op) => {
    await op(); // warm
    // Measuring bytes sends commands too: outside the counted stretch.
    const bytes0 = await server.call<Bytes>('redisBytes');
    const counters0 = await server.call<Counters>('counters');
    for (let i = 0; i < FOOTPRINT_LOGINS; i += 1) await op();
    const counters1 = await server.call<Counters>('counters');
    const bytes1 = await server.call<Bytes>('redisBytes');
    return {
      pg: (counters1.pgStatements - counters0.pgStatements) / FOOTPRINT_LOGINS,
      redis: (counters1.redisCommands - counters0.redisCommands) / FOOTPRINT_LOGINS,
      writes: (counters1.redisWrites - counters0.redisWrites) / FOOTPRINT_LOGINS,
      bytes: (bytes1.all - bytes0.all) / FOOTPRINT_LOGINS,
      longLived: (bytes1.longLived - bytes0.longLived) / FOOTPRINT_LOGINS,
      byKind: Object.entries(bytes1.longLivedByKind)
        .map(([kind, n]) => [kind, (n - (bytes0.longLivedByKind[kind] ?? 0)) / FOOTPRINT_LOGINS] as const)
        .filter(([, n]) => n > 0)
        .sort(([, a], [, b]) => b - a),
    };
  };
  const signedIn = async (rp: RelyingParty, form: Record<string, string>) => { const b = new BenchBrowser(rp); await b.signIn('password', form); return () => b.silently(); };
  const [pLogin, cLogin] = [await perLogin(pforte, pSignIn), await perLogin(ceiling, cSignIn)];
  const [pSso, cSso] = [
    await perLogin(pforte, await signedIn(pWeb, { email: 'bench@example.com', password: PASSWORD })),
    await perLogin(ceiling, await signedIn(cWeb, {})),
  ];
  const pDeviceLogin = await perLogin(pforte, pDevice);
  const row = (key: string, name: string, unit: string, a: number, b: number): Result => ({ key, name, unit, pforte: a, ceiling: b, ratio: b === 0 ? Number.NaN : a / b });
  const results = [
    row('footprint', 'Postgres statements per password sign-in', 'statements', pLogin.pg, cLogin.pg),
    row('footprint', 'Postgres statements per SSO flow', 'statements', pSso.pg, cSso.pg),
    row('footprint', 'Postgres statements per trusted-device login', 'statements', pDeviceLogin.pg, cLogin.pg),
    row('footprint', 'Redis commands per trusted-device login', 'commands', pDeviceLogin.redis, cLogin.redis),
    row('footprint', 'Redis commands per password sign-in', 'commands', pLogin.redis, cLogin.redis),
    row('footprint', 'Redis commands per SSO flow', 'commands', pSso.redis, cSso.redis),
    row('footprint', 'Redis writes (round trips) per trusted-device login', 'writes', pDeviceLogin.writes, cLogin.writes),
    row('footprint', 'Redis writes (round trips) per password sign-in', 'writes', pLogin.writes, cLogin.writes),
    row('footprint', 'Redis writes (round trips) per SSO flow', 'writes', pSso.writes, cSso.writes),
    row('footprint', 'Redis bytes per completed login', 'bytes', pLogin.bytes, cLogin.bytes),
    row('footprint', 'Redis bytes per login once the code expired', 'bytes', pLogin.longLived, cLogin.longLived),
  ];
  results.forEach(printResult);
  // Where the long-lived bytes of a login are (pforte): the place to look when they grow.
  console.log(`${''.padEnd(20)} long-lived per login: ${pLogin.byKind.map(([kind, n]) => `${kind} ${n.toFixed(0)}`).join(', ')}`);
  return results;
}

function printSummary(results: Result[]): void {
  console.log('\n| row | c | pforte | ceiling | ratio | CPU ms/op pforte | CPU ms/op ceiling |\n|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.name} (${r.unit}) | ${r.concurrency ?? ''} | ${fmt(r.pforte)} | ${fmt(r.ceiling)} | ${Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : '-'} | ${fmt(r.pforteCpuMsPerOp, 2)} | ${fmt(r.ceilingCpuMsPerOp, 2)} |`);
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
 * no password is hashed is the cost of that many requests. In the table the ceiling column
 * holds the unloaded latency, so the ratio is "times slower under the flood".
 * Bounded: at most FLOOD_ROUNDS rounds and about FLOOD_BUDGET_MS per scenario.
 */
const FLOOD_SIZE = 200;
const FLOOD_ROUNDS = Number(process.env.BENCH_FLOOD_ROUNDS ?? (QUICK ? 2 : 6));
const FLOOD_BUDGET_MS = QUICK ? 5_000 : 12_000;

async function passwordFlood(rp: RelyingParty): Promise<Result[]> {
  const attackers: FloodAttacker[] = await Promise.all(Array.from({ length: FLOOD_SIZE }, async () => {
    const browser = new BenchBrowser(rp);
    const { location } = await browser.authorize();
    return { interaction: location, cookie: [...browser.jar].map(([k, v]) => `${k}=${v}`).join('; ') };
  }));
  const worker = new Worker(new URL('./flood-worker.js', import.meta.url), { workerData: { base: rp.base, attackers } });
  const nextReport = () => new Promise<FloodReport>((resolve) => worker.once('message', resolve));
  let realIp = 1;
  const realSignIn = async () => {
    const browser = new BenchBrowser(rp, { 'x-forwarded-for': `192.0.2.${realIp++ % 250}` });
    const t0 = performance.now();
    await browser.signIn('password', { email: 'real.user@example.com', password: PASSWORD });
    return performance.now() - t0;
  };
  let scenarioNo = 0;
  const scenario = async (kind?: FloodOrder['kind']) => {
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
    return { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), rounds: latencies.length, note: kind ? `flood answers ${answers}, all in after ${percentile(drains, 0.5).toFixed(0)} ms (p50)` : '' };
  };
  const results: Result[] = [];
  try {
    const alone = await scenario();
    const scenarios: [FloodOrder['kind'], string][] = [
      ['one-ip', `during ${FLOOD_SIZE} wrong passwords from one address`],
      ['many-ips', `during ${FLOOD_SIZE} wrong passwords from ${FLOOD_SIZE} addresses`],
      ['pages', `during ${FLOOD_SIZE} login-page views (no password)`],
      ...(process.env.BENCH_SPRAY === '1' ? [['spray', `during a spray at ${FLOOD_SIZE} unknown addresses`] as [FloodOrder['kind'], string]] : []),
    ];
    for (const [kind, label] of scenarios) {
      const loaded = await scenario(kind);
      const result: Result = { key: 'flood', name: `real login p50 ${label}`, unit: 'ms (vs alone)', pforte: loaded.p50, ceiling: alone.p50, ratio: loaded.p50 / alone.p50 };
      printResult(result);
      console.log(`${''.padEnd(20)} ${loaded.note}; p95 ${loaded.p95.toFixed(0)} ms vs ${alone.p95.toFixed(0)} ms alone, ${loaded.rounds} rounds`);
      results.push(result);
    }
  } finally {
    await worker.terminate();
  }
  return results;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
