import { randomBytes } from 'node:crypto';
import { afterAll } from '@jest/globals';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from './database.js';

/**
 * For one test file: a Redis connection under a fresh key prefix, and a raw one (no prefix)
 * to look at what was stored; after the file, the prefix's keys are deleted and both closed.
 */
export function scratchRedis(): { prefix: string; redis: Redis; raw: Redis } {
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  const redis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });
  const raw = new Redis(TEST_REDIS_URL);
  afterAll(async () => {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length > 0) await raw.del(...keys);
    redis.disconnect();
    raw.disconnect();
  });
  return { prefix, redis, raw };
}
