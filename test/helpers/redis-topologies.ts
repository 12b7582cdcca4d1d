import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { startRedisProcess, type RedisProcess } from './redis-server.js';

const run = promisify(execFile);

/** Asks `check` until it says yes; these are other processes' state changes, with a bound. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function ask<T>(port: number, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

export interface RedisTopology {
  url: string;
  nodes: RedisProcess[];
  remove(): Promise<void>;
}

async function stopAll(processes: RedisProcess[], dir: string): Promise<void> {
  await Promise.all(processes.map((process) => process.stop()));
  rmSync(dir, { recursive: true, force: true });
}

/** Three masters on free loopback ports, slots spread by `redis-cli --cluster create`. */
export async function startRedisCluster(): Promise<RedisTopology> {
  const dir = mkdtempSync(join(tmpdir(), 'pforte-cluster-'));
  const nodes: RedisProcess[] = [];
  try {
    for (let index = 0; index < 3; index++) {
      const port = await freePort();
      nodes.push(await startRedisProcess({ port, args: ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--save', '', '--appendonly', 'no', '--dir', dir] }));
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    for (const node of nodes) {
      await until(`cluster state ok on ${node.port}`, () => ask(node.port, async (redis) => (await redis.cluster('INFO')).includes('cluster_state:ok')));
    }
  } catch (error) {
    await stopAll(nodes, dir);
    throw error;
  }
  return { url: `redis+cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`, nodes, remove: () => stopAll(nodes, dir) };
}

export interface SentinelGroup extends RedisTopology {
  masterName: string;
  /** Port of the data node that is master now, by the sentinels' word. */
  masterPort(): Promise<number>;
  /** Forces a failover and resolves once the former replica is master and the sentinels say so. */
  failover(): Promise<void>;
}

/** A master, a replica and three sentinels (quorum 2) on free loopback ports. */
export async function startSentinelGroup(masterName = 'pforte-master'): Promise<SentinelGroup> {
  const dir = mkdtempSync(join(tmpdir(), 'pforte-sentinel-'));
  const processes: RedisProcess[] = [];
  const sentinels: RedisProcess[] = [];
  try {
    const master = await startRedisProcess({ port: await freePort(), args: ['--save', '', '--appendonly', 'no', '--dir', dir] });
    processes.push(master);
    const replica = await startRedisProcess({ port: await freePort(), args: ['--save', '', '--appendonly', 'no', '--dir', dir, '--replicaof', '127.0.0.1', String(master.port)] });
    processes.push(replica);
    await until('the replica in sync', () => ask(replica.port, async (redis) => (await redis.info('replication')).includes('master_link_status:up')));
    for (let index = 0; index < 3; index++) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${port}.conf`);
      // Sentinel rewrites its configuration file, so each has its own.
      writeFileSync(conf, [
        `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 2`,
        `sentinel down-after-milliseconds ${masterName} 2000`,
        `sentinel failover-timeout ${masterName} 10000`,
        `sentinel parallel-syncs ${masterName} 1`,
        '',
      ].join('\n'));
      const sentinel = await startRedisProcess({ port, args: [conf, '--sentinel'], ready: /\+monitor master/ });
      sentinels.push(sentinel);
      processes.push(sentinel);
    }
    await until('the sentinels to know the replica', () => ask(sentinels[0]!.port, async (redis) => {
      const replicas = (await redis.call('SENTINEL', 'REPLICAS', masterName)) as string[][];
      return replicas.some((fields) => fields.includes(String(replica.port)));
    }));
  } catch (error) {
    await stopAll(processes, dir);
    throw error;
  }
  const masterPort = () => ask(sentinels[0]!.port, async (redis) => Number(((await redis.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as string[])[1]));
  return {
    url: `redis+sentinel://${sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(',')}/${masterName}`,
    nodes: processes,
    masterName,
    masterPort,
    async failover() {
      const before = await masterPort();
      const [promoted] = processes.filter((process) => process.port !== before && !sentinels.includes(process));
      // Whatever was written reaches the replica before it takes over.
      await ask(before, (redis) => redis.call('WAIT', '1', '5000'));
      await ask(sentinels[0]!.port, (redis) => redis.call('SENTINEL', 'FAILOVER', masterName));
      await until('the replica promoted', () => ask(promoted!.port, async (redis) => (await redis.info('replication')).includes('role:master')));
      for (const sentinel of sentinels) {
        await until('every sentinel to name the new master', () => ask(sentinel.port, async (redis) => Number(((await redis.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as string[])[1]) === promoted!.port));
      }
      await until('the old master to follow', () => ask(before, async (redis) => (await redis.info('replication')).includes('role:slave')));
    },
    remove: () => stopAll(processes, dir),
  };
}
