import { describe, expect, test } from '@jest/globals';
import { createTanStore } from '../../src/store/redis/tan-store.js';
import { scratchRedis } from '../helpers/scratch-redis.js';

const { prefix, redis, raw } = scratchRedis();

describe('TAN store', () => {
  test('the hourly mail count starts its window with the first mail and never extends it', async () => {
    const store = createTanStore(redis);
    const key = `${prefix}pforte:tan-sends:{window}`;
    expect(await store.countSend('window')).toBe(1);
    const ttl = await raw.ttl(key);
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
    await raw.expire(key, 100);
    expect(await store.countSend('window')).toBe(2);
    expect(await raw.ttl(key)).toBeLessThanOrEqual(100);
    // A count that lost its lifetime (written by hand, an old bug) gets one again.
    await raw.persist(key);
    expect(await store.countSend('window')).toBe(3);
    expect(await raw.ttl(key)).toBeGreaterThan(3500);
  });

  test('a TAN is redeemed once; wrong attempts count and the last one voids it', async () => {
    const store = createTanStore(redis);
    const entry = { digest: 'right', subject: 'acc', expiresAtMs: Date.now() + 60_000 };
    await store.save('flow-1', entry, 60);
    const attempt = { subject: 'acc', maxAttempts: 3, nowMs: Date.now(), refuse: false };
    expect(await store.redeem('flow-1', { ...attempt, digest: 'wrong' })).toEqual({ outcome: 'wrong', attempts: 1 });
    expect(await store.redeem('flow-1', { ...attempt, digest: 'right', refuse: true })).toEqual({ outcome: 'wrong', attempts: 2 });
    expect(await store.redeem('flow-1', { ...attempt, digest: 'right', subject: 'other' })).toEqual({ outcome: 'missing', attempts: 0 });
    expect(await store.redeem('flow-1', { ...attempt, digest: 'right' })).toEqual({ outcome: 'ok', attempts: 3 });
    expect(await store.redeem('flow-1', { ...attempt, digest: 'right' })).toEqual({ outcome: 'missing', attempts: 0 });
    await store.save('flow-2', entry, 60);
    for (const attempts of [1, 2]) expect(await store.redeem('flow-2', { ...attempt, digest: 'wrong' })).toEqual({ outcome: 'wrong', attempts });
    expect(await store.redeem('flow-2', { ...attempt, digest: 'wrong' })).toEqual({ outcome: 'void', attempts: 3 });
    expect(await store.redeem('flow-2', { ...attempt, digest: 'right' })).toEqual({ outcome: 'missing', attempts: 0 });
  });
});
