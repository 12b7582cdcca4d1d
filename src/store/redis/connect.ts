import { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';

export type RedisClient = Redis;

/** Bounds on every Redis call: a silent network must not hold a request for long. */
export const REDIS_CONNECT_TIMEOUT_MS = 2000;
export const REDIS_COMMAND_TIMEOUT_MS = 2000;

export interface RedisOptions {
  redisUrl?: string;
  /** Prepended to every key (tests give each run its own). */
  keyPrefix?: string;
}

/**
 * A real Redis when REDIS_URL is set; otherwise an in-process store with the same API
 * (SPEC 1: the laptop default keeps short-lived state in memory).
 */
export function createRedis({ redisUrl, keyPrefix = '' }: RedisOptions): RedisClient {
  if (redisUrl) {
    return new Redis(redisUrl, {
      keyPrefix,
      // Fail commands fast while Redis is down instead of queueing them forever: a person
      // waits for the page, which must say "temporarily unavailable" within seconds.
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    });
  }
  return new RedisMock({ keyPrefix }) as unknown as Redis;
}

export async function pingRedis(redis: RedisClient): Promise<void> {
  const answer = await Promise.race([
    redis.ping(),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('redis ping timed out')), 1000).unref()),
  ]);
  if (answer !== 'PONG') throw new Error('redis did not answer PONG');
}
