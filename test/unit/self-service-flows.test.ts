import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { createSelfServiceFlows, FlowTransitionRefused } from '../../src/domain/self-service-flows.js';
import { createSelfServiceFlowStore } from '../../src/store/redis/self-service-flow-store.js';
import { TEST_REDIS_URL } from '../helpers/database.js';

const redis = new Redis(TEST_REDIS_URL, { keyPrefix: `test:${randomBytes(6).toString('hex')}:` });
afterAll(() => redis.disconnect());

let nowMs = Date.now();
const flows = createSelfServiceFlows({ store: createSelfServiceFlowStore(redis), now: () => nowMs });

describe('self-service flows', () => {
  test('follow the transition table; other moves are refused', async () => {
    const flow = await flows.start('registration', { ttlSeconds: 60, locale: 'en', interactionUid: 'abc' });
    expect(flow).toMatchObject({ kind: 'registration', state: 'started', interactionUid: 'abc' });
    await expect(flows.transition(flow, 'confirmed')).rejects.toBeInstanceOf(FlowTransitionRefused);
    await expect(flows.transition(flow, 'link_sent')).rejects.toBeInstanceOf(FlowTransitionRefused);
    const waiting = await flows.transition(flow, 'awaiting_confirmation', {}, 3600);
    expect(waiting?.state).toBe('awaiting_confirmation');
    expect((await flows.get(flow.id))?.state).toBe('awaiting_confirmation');
  });

  test('of parallel transitions from one state exactly one wins', async () => {
    const flow = await flows.start('recovery', { ttlSeconds: 60, locale: 'de' });
    const results = await Promise.all(Array.from({ length: 10 }, () => flows.transition(flow, 'link_sent')));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  test('expire with their clock and their Redis TTL; a new state may live longer', async () => {
    const flow = await flows.start('recovery', { ttlSeconds: 60, locale: 'de' });
    const sent = (await flows.transition(flow, 'link_sent', {}, 3600))!;
    nowMs += 61_000;
    expect(await flows.get(sent.id)).toBeDefined();
    expect(await redis.pttl(`pforte:ssflow:{${sent.id}}`)).toBeGreaterThan(60_000);
    nowMs += 3600_000;
    expect(await flows.get(sent.id)).toBeUndefined();
  });

  test('ids that are not flow ids are not looked up', async () => {
    for (const id of [undefined, '', 'x', '../../etc', 'a'.repeat(44)]) expect(await flows.get(id)).toBeUndefined();
  });
});
