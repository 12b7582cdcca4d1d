import { expect, test } from '@jest/globals';
import { loadConfig } from '../../src/config/index.js';
import { parseRedisUrl } from '../../src/config/redis-url.js';

test('REDIS_URL: one node, a Cluster, a Sentinel group', () => {
  expect(parseRedisUrl('redis://cache:6379/2')).toEqual({ kind: 'node' });
  expect(parseRedisUrl('rediss://user:pw@cache:6380')).toEqual({ kind: 'node' });
  expect(parseRedisUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001,[::1]:7002')).toEqual({
    kind: 'cluster', nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: '::1', port: 7002 }], masterName: undefined, username: undefined, password: undefined, tls: false,
  });
  expect(parseRedisUrl('redis+sentinel://:s%40cret@s1:26379,s2/mymaster')).toEqual({
    kind: 'sentinel', nodes: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], masterName: 'mymaster', username: undefined, password: 's@cret', tls: false,
  });
  expect(parseRedisUrl('rediss+cluster://c1:7000')).toMatchObject({ kind: 'cluster', tls: true });
});

test('a wrong REDIS_URL is named at start, without echoing a password', () => {
  expect(() => parseRedisUrl('memcached://x')).toThrow(/must start with/);
  expect(() => parseRedisUrl('redis+sentinel://s1:26379,s2:26379')).toThrow(/mastername/);
  expect(() => parseRedisUrl('redis+cluster://')).toThrow(/no host/);
  expect(() => parseRedisUrl('redis+cluster://h:p0rt')).toThrow(/not host:port/);
  const load = () => loadConfig({ NODE_ENV: 'test', REDIS_URL: 'redis+sentinel://:topsecret@s1:26379' }, { cookieSecrets: () => ['x'.repeat(32)], keyEncryptionSecret: () => 'y'.repeat(32) });
  expect(load).toThrow(/REDIS_URL/);
  try {
    load();
  } catch (error) {
    expect((error as Error).message).not.toContain('topsecret');
  }
});
