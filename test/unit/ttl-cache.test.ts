import { describe, expect, test } from '@jest/globals';
import { createTtlCache } from '../../src/domain/ttl-cache.js';

function setup(ttlMs = 1000) {
  let nowMs = 0;
  let loads = 0;
  const values = new Map<string, string>();
  const cache = createTtlCache<string>({ ttlMs, now: () => nowMs });
  const get = (key: string) => cache.get(key, async () => { loads += 1; return values.get(key); });
  return { cache, get, values, loads: () => loads, advance: (ms: number) => { nowMs += ms; } };
}

describe('ttl cache', () => {
  test('serves a value until it is older than the ttl, then loads again', async () => {
    const c = setup();
    c.values.set('a', 'one');
    expect(await c.get('a')).toBe('one');
    c.values.set('a', 'two');
    c.advance(999);
    expect(await c.get('a')).toBe('one');
    c.advance(1);
    expect(await c.get('a')).toBe('two');
    expect(c.loads()).toBe(2);
  });

  test('does not remember that a key was missing (a value created elsewhere is found at once)', async () => {
    const c = setup();
    expect(await c.get('a')).toBeUndefined();
    c.values.set('a', 'new');
    expect(await c.get('a')).toBe('new');
  });

  test('a failed load leaves nothing behind', async () => {
    const c = setup();
    await expect(c.cache.get('a', async () => { throw new Error('db down'); })).rejects.toThrow('db down');
    c.values.set('a', 'back');
    expect(await c.get('a')).toBe('back');
  });

  test('delete makes the next get load; concurrent misses share one load; ttl 0 always loads', async () => {
    const c = setup();
    c.values.set('a', 'one');
    await Promise.all([c.get('a'), c.get('a'), c.get('a')]);
    expect(c.loads()).toBe(1);
    c.values.set('a', 'two');
    c.cache.delete('a');
    expect(await c.get('a')).toBe('two');
    const off = setup(0);
    off.values.set('a', 'x');
    await off.get('a');
    await off.get('a');
    expect(off.loads()).toBe(2);
  });
});
