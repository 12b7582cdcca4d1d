import { Cluster, Redis, type ClusterOptions, type RedisOptions as IoRedisOptions } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { parseRedisUrl } from '../../config/redis-url.js';

/**
 * What pforte's stores may ask of Redis: single-key commands, transactions and scripts on
 * one hash tag, and pipelines of independent writes where one server holds all keys
 * (`sendTogether`: `isCluster` says where not). A single node, a Cluster and a Sentinel group all answer these; `keys`,
 * `scan` and friends are left out on purpose (on a Cluster they see one shard).
 */
export type RedisClient = Pick<Redis, 'get' | 'set' | 'del' | 'mget' | 'incr' | 'ttl' | 'expire' | 'exists' | 'hgetall' | 'sadd' | 'smembers' | 'multi' | 'eval' | 'evalsha' | 'hget' | 'ping' | 'pipeline' | 'isCluster'>;

/** The connection itself, for whoever opens, watches and closes it (runtime, readiness, CLI). */
export type RedisConnection = Redis | Cluster;

/**
 * Bounds on every Redis call: a silent network must not hold a request for long. The
 * command bound stays well above what a CPU-starved process can take to read a reply
 * already there (its timer may fire first), and below SPEC 8's 5 s for the page.
 */
export const REDIS_CONNECT_TIMEOUT_MS = 2000;
export const REDIS_COMMAND_TIMEOUT_MS = 4000;

export interface RedisOptions {
  redisUrl?: string;
  /** Prepended to every key (tests give each run its own). */
  keyPrefix?: string;
}

// Fail commands fast while Redis is down instead of queueing them forever: a person waits
// for the page, which must say "temporarily unavailable" within seconds.
const NODE_OPTIONS = {
  maxRetriesPerRequest: 2,
  enableOfflineQueue: true,
  // Reconnect at least twice a second: a command fails after its connection failed three
  // times (maxRetriesPerRequest 2), so a page during an outage comes within about 1.5 s.
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 500),
  connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
  commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
  // After a Sentinel failover the old master answers writes with READONLY until the
  // client follows the switch: reconnect (to the new master) and resend the command.
  reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 2 : false),
} satisfies IoRedisOptions;

/**
 * REDIS_URL (SPEC 8): `redis://` or `rediss://` for one node, `redis+cluster://h:p,h:p` for a
 * Cluster, `redis+sentinel://h:p,h:p/mastername` for a Sentinel group; user and password
 * in the URL go to the data nodes. Without a URL, an in-process store with the same API
 * (SPEC 1: the laptop default keeps short-lived state in memory).
 */
export function createRedis({ redisUrl, keyPrefix = '' }: RedisOptions): RedisConnection {
  if (!redisUrl) return new RedisMock({ keyPrefix }) as unknown as Redis;
  const target = parseRedisUrl(redisUrl);
  if (target.kind === 'node') return new Redis(redisUrl, { ...NODE_OPTIONS, keyPrefix });
  const credentials = { ...(target.username ? { username: target.username } : {}), ...(target.password ? { password: target.password } : {}) };
  if (target.kind === 'cluster') {
    const options: ClusterOptions = {
      keyPrefix,
      redisOptions: { ...NODE_OPTIONS, ...credentials, ...(target.tls ? { tls: {} } : {}) },
      clusterRetryStrategy: NODE_OPTIONS.retryStrategy,
      enableOfflineQueue: true,
      // Cluster-wide budget for a command that keeps being redirected or retried.
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 200,
      slotsRefreshTimeout: REDIS_CONNECT_TIMEOUT_MS,
    };
    return new Cluster(target.nodes, options);
  }
  return new Redis({
    ...NODE_OPTIONS,
    ...credentials,
    keyPrefix,
    sentinels: target.nodes,
    name: target.masterName,
    // Follow a failover as soon as a sentinel announces it, not only on the next error.
    failoverDetector: true,
    sentinelRetryStrategy: NODE_OPTIONS.retryStrategy,
    ...(target.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
  });
}

export async function pingRedis(redis: Pick<RedisClient, 'ping'>): Promise<void> {
  const answer = await Promise.race([
    redis.ping(),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('redis ping timed out')), 1000).unref()),
  ]);
  if (answer !== 'PONG') throw new Error('redis did not answer PONG');
}
