import { randomBytes } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { createRedisAdapterClass, endAccountSessions } from '../../src/oidc/redis-adapter.js';
import { createAccountIndex } from '../../src/store/redis/account-index.js';
import { scratchRedis } from '../helpers/scratch-redis.js';

const { prefix, redis, raw } = scratchRedis();

describe('Redis adapter for oidc-provider', () => {
  test('stores with a TTL on every key, finds, destroys', async () => {
    const Adapter = createRedisAdapterClass(redis);
    const sessions = new Adapter('Session');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'a1' } as never, 120);
    expect(await sessions.find('s1')).toMatchObject({ uid: 'u1', accountId: 'a1' });
    expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'a1' });
    const keys = await raw.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) {
      const ttl = await raw.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(120);
    }
    // Keys carry a Cluster hash tag around the artifact id.
    expect(keys.some((k) => k.endsWith('pforte:oidc:Session:{s1}'))).toBe(true);
    await sessions.destroy('s1');
    expect(await sessions.find('s1')).toBeUndefined();
  });

  test('an artifact without a lifetime still gets one', async () => {
    const Adapter = createRedisAdapterClass(redis);
    await new Adapter('Grant').upsert('g-no-ttl', {} as never, 0);
    expect(await raw.ttl(`${prefix}pforte:oidc:Grant:{g-no-ttl}`)).toBeGreaterThan(0);
  });

  test('consume is atomic and stays marked: of twenty parallel calls exactly one wins', async () => {
    const Adapter = createRedisAdapterClass(redis);
    const codes = new Adapter('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g1' } as never, 60);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => codes.consume('c1')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(19);
    // The losers were replays: everything under the grant is gone, the code included.
    expect(await codes.find('c1')).toBeUndefined();
    await expect(codes.consume('missing')).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  test('a refresh token reused in parallel revokes its grant', async () => {
    const Adapter = createRedisAdapterClass(redis);
    const refresh = new Adapter('RefreshToken');
    const access = new Adapter('AccessToken');
    await refresh.upsert('rt-race', { grantId: 'g-race' } as never, 600);
    await access.upsert('at-race', { grantId: 'g-race' } as never, 600);
    const results = await Promise.allSettled([refresh.consume('rt-race'), refresh.consume('rt-race')]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(await access.find('at-race')).toBeUndefined();
  });

  test('revoking a grant removes everything issued under it, and nothing else', async () => {
    const Adapter = createRedisAdapterClass(redis);
    const access = new Adapter('AccessToken');
    const refresh = new Adapter('RefreshToken');
    await access.upsert('at1', { grantId: 'g2' } as never, 3600);
    await refresh.upsert('rt1', { grantId: 'g2' } as never, 7200);
    await access.upsert('at-other', { grantId: 'g3' } as never, 3600);
    expect(await raw.ttl(`${prefix}pforte:oidc:grant:{g2}`)).toBeGreaterThan(3600);
    await access.revokeByGrantId('g2');
    expect(await access.find('at1')).toBeUndefined();
    expect(await refresh.find('rt1')).toBeUndefined();
    expect(await access.find('at-other')).toBeDefined();
    expect(await raw.exists(`${prefix}pforte:oidc:grant:{g2}`)).toBe(0);
    // The grant itself is gone, and nothing new is stored under it (a race's late winner).
    const grants = new Adapter('Grant');
    await grants.upsert('g4', {} as never, 600);
    await access.upsert('at4', { grantId: 'g4' } as never, 600);
    await access.revokeByGrantId('g4');
    expect(await grants.find('g4')).toBeUndefined();
    await access.upsert('at-late', { grantId: 'g4' } as never, 600);
    expect(await access.find('at-late')).toBeUndefined();
  });

  test('indexes are compact hashes; index sets of earlier versions are still read and added to', async () => {
    const Adapter = createRedisAdapterClass(redis, createAccountIndex(redis));
    const id = (tag: string) => `${tag}${randomBytes(32).toString('base64url')}`.slice(0, 43);
    const [grantId, codeId, accessId, refreshId] = ['g', 'c', 'a', 'r'].map(id) as [string, string, string, string];
    await new Adapter('Grant').upsert(grantId, { accountId: 'acc-compact' } as never, 3600);
    await new Adapter('AuthorizationCode').upsert(codeId, { grantId } as never, 60);
    await new Adapter('AccessToken').upsert(accessId, { grantId } as never, 3600);
    await new Adapter('RefreshToken').upsert(refreshId, { grantId } as never, 7200);
    for (const key of [`pforte:oidc:grant:{${grantId}}`, 'pforte:account:{acc-compact}:grants']) {
      expect(await raw.object('ENCODING', `${prefix}${key}`)).toBe('listpack');
    }
    await new Adapter('AccessToken').revokeByGrantId(grantId);
    for (const [name, artifact] of [['AuthorizationCode', codeId], ['AccessToken', accessId], ['RefreshToken', refreshId]] as const) {
      expect(await new Adapter(name).find(artifact)).toBeUndefined();
    }

    // Written by an earlier version: a set of whole keys, and an account's sessions as a set.
    await raw.sadd(`${prefix}pforte:oidc:grant:{g-old}`, 'pforte:oidc:AccessToken:{at-old}');
    await new Adapter('AccessToken').upsert('at-old', { grantId: 'g-old' } as never, 600);
    await new Adapter('RefreshToken').upsert('rt-new', { grantId: 'g-old' } as never, 600);
    await raw.sadd(`${prefix}pforte:account:{acc-old}:sessions`, 's-old');
    await new Adapter('Session').upsert('s-new', { accountId: 'acc-old' } as never, 600);
    await new Adapter('Session').upsert('s-old', { accountId: 'acc-old' } as never, 600);
    expect(await raw.type(`${prefix}pforte:account:{acc-old}:sessions`)).toBe('set');
    await new Adapter('AccessToken').revokeByGrantId('g-old');
    expect(await new Adapter('AccessToken').find('at-old')).toBeUndefined();
    expect(await new Adapter('RefreshToken').find('rt-new')).toBeUndefined();
    expect(await endAccountSessions(redis, createAccountIndex(redis), 'acc-old')).toEqual({ sessions: 2, grants: 0 });
    expect(await new Adapter('Session').find('s-new')).toBeUndefined();
  });

  test('an interaction only names a grant: revoking the grant neither deletes nor blocks it', async () => {
    // A browser signing in as another account: the pending interaction names the old
    // account's grant, which the provider revokes when it ends the old session.
    const Adapter = createRedisAdapterClass(redis);
    const interactions = new Adapter('Interaction');
    const access = new Adapter('AccessToken');
    await interactions.upsert('i1', { grantId: 'g-old' } as never, 600);
    await access.upsert('at-old', { grantId: 'g-old' } as never, 600);
    await access.revokeByGrantId('g-old');
    expect(await access.find('at-old')).toBeUndefined();
    expect(await interactions.find('i1')).toMatchObject({ grantId: 'g-old' });
    await interactions.upsert('i2', { grantId: 'g-old' } as never, 600);
    expect(await interactions.find('i2')).toBeDefined();
  });

  test('every command and transaction touches keys of one hash tag only (Redis Cluster)', async () => {
    /** The hash tag Redis Cluster places a key by: the first non-empty {...}. */
    const tagOf = (key: string) => /\{([^}]+)\}/.exec(key)?.[1] ?? key;
    const spans: string[][] = [];
    let transaction: Set<string> | undefined;
    const original = redis.sendCommand.bind(redis);
    // The Cluster's code path (one server here, but the same commands a Cluster would get).
    Object.defineProperty(redis, 'isCluster', { value: true, configurable: true });
    redis.sendCommand = ((command: Parameters<Redis['sendCommand']>[0], ...rest: never[]) => {
      const tags = command.getKeys().map((key) => tagOf(String(key)));
      if (command.name === 'multi') transaction = new Set();
      else if (command.name === 'exec') { spans.push([...transaction!]); transaction = undefined; }
      else if (transaction) tags.forEach((tag) => transaction!.add(tag));
      else spans.push([...new Set(tags)]);
      return original(command, ...rest);
    }) as Redis['sendCommand'];
    try {
      const accountIndex = createAccountIndex(redis);
      const Adapter = createRedisAdapterClass(redis, accountIndex);
      await new Adapter('Session').upsert('s-tag', { uid: 'u-tag', accountId: 'a-tag' } as never, 600);
      await new Adapter('Grant').upsert('g-tag', { accountId: 'a-tag' } as never, 600);
      await new Adapter('AuthorizationCode').upsert('c-tag', { grantId: 'g-tag' } as never, 60);
      await new Adapter('AccessToken').upsert('at-tag', { grantId: 'g-tag' } as never, 600);
      await new Adapter('AuthorizationCode').consume('c-tag');
      await new Adapter('Session').findByUid('u-tag');
      await new Adapter('AccessToken').revokeByGrantId('g-tag');
      await new Adapter('Grant').upsert('g-tag2', { accountId: 'a-tag' } as never, 600);
      expect(await endAccountSessions(redis, accountIndex, 'a-tag')).toEqual({ sessions: 1, grants: 2 });
    } finally {
      redis.sendCommand = original;
      Object.defineProperty(redis, 'isCluster', { value: false, configurable: true, writable: true });
    }
    expect(spans.length).toBeGreaterThan(10);
    expect(spans.filter((tags) => tags.length > 1)).toEqual([]);
  });

  test('a save is one round trip on one server: pipelined writes, the grant check and the save one script', async () => {
    const names: string[] = [];
    const stream = (redis as unknown as { stream: { write: (...args: unknown[]) => boolean } }).stream;
    const originalSend = redis.sendCommand.bind(redis);
    const originalWrite = stream.write;
    let writes = 0;
    redis.sendCommand = ((command: Parameters<Redis['sendCommand']>[0], ...rest: never[]) => {
      names.push(command.name);
      return originalSend(command, ...rest);
    }) as Redis['sendCommand'];
    stream.write = function (this: unknown, ...args: unknown[]) { writes += 1; return originalWrite.apply(this, args); };
    const counted = async (save: () => Promise<void>) => {
      names.length = 0;
      writes = 0;
      await save();
      return { names: [...names], writes };
    };
    try {
      const Adapter = createRedisAdapterClass(redis, createAccountIndex(redis));
      // Loads the scripts (EVAL after NOSCRIPT) so the counts below are those of a warm server.
      await new Adapter('AccessToken').upsert('at-warm', { grantId: 'g-count' } as never, 600);
      await new Adapter('Session').upsert('s-warm', { uid: 'u-warm', accountId: 'a-count' } as never, 600);
      // Access token: the revocation check, the grant's index entry and the save, one script.
      expect(await counted(() => new Adapter('AccessToken').upsert('at-count', { grantId: 'g-count' } as never, 600))).toEqual({ names: ['evalsha'], writes: 1 });
      // Session: save, uid, account index: three commands in one socket write.
      expect(await counted(() => new Adapter('Session').upsert('s-count', { uid: 'u-count', accountId: 'a-count' } as never, 600))).toEqual({ names: ['evalsha', 'set', 'evalsha'], writes: 1 });
    } finally {
      redis.sendCommand = originalSend;
      stream.write = originalWrite;
    }
    const Adapter = createRedisAdapterClass(redis);
    expect(await new Adapter('Session').findByUid('u-count')).toMatchObject({ accountId: 'a-count' });
    expect(await new Adapter('AccessToken').find('at-count')).toMatchObject({ grantId: 'g-count' });
    expect(await raw.hkeys(`${prefix}pforte:oidc:grant:{g-count}`)).toEqual(expect.arrayContaining(['AccessToken:at-count']));
    expect(await raw.hkeys(`${prefix}pforte:account:{a-count}:sessions`)).toEqual(expect.arrayContaining(['s-count']));
  });

  test('a script the server does not know yet is loaded in a pipelined save too', async () => {
    await raw.script('FLUSH');
    const Adapter = createRedisAdapterClass(redis, createAccountIndex(redis));
    await new Adapter('Session').upsert('s-flushed', { uid: 'u-flushed', accountId: 'a-flushed' } as never, 600);
    await raw.script('FLUSH');
    await new Adapter('RefreshToken').upsert('rt-flushed', { grantId: 'g-flushed' } as never, 600);
    expect(await new Adapter('Session').findByUid('u-flushed')).toMatchObject({ accountId: 'a-flushed' });
    expect(await new Adapter('RefreshToken').find('rt-flushed')).toMatchObject({ grantId: 'g-flushed' });
    expect(await raw.hkeys(`${prefix}pforte:account:{a-flushed}:sessions`)).toEqual(['s-flushed']);
    expect(await raw.hkeys(`${prefix}pforte:oidc:grant:{g-flushed}`)).toEqual(['RefreshToken:rt-flushed']);
  });

  test('nothing is stored under a revoked grant, on one server and on the Cluster path alike', async () => {
    for (const isCluster of [false, true]) {
      if (isCluster) Object.defineProperty(redis, 'isCluster', { value: true, configurable: true });
      try {
        const Adapter = createRedisAdapterClass(redis);
        const grant = `g-revoked-${isCluster}`;
        await new Adapter('AccessToken').upsert(`at-before-${isCluster}`, { grantId: grant } as never, 600);
        await new Adapter('AccessToken').revokeByGrantId(grant);
        await new Adapter('AccessToken').upsert(`at-after-${isCluster}`, { grantId: grant } as never, 600);
        expect(await new Adapter('AccessToken').find(`at-before-${isCluster}`)).toBeUndefined();
        expect(await new Adapter('AccessToken').find(`at-after-${isCluster}`)).toBeUndefined();
        expect(await raw.exists(`${prefix}pforte:oidc:grant:{${grant}}`)).toBe(0);
      } finally {
        Object.defineProperty(redis, 'isCluster', { value: false, configurable: true, writable: true });
      }
    }
  });

  test('an artifact is a plain string (no hash overhead); consuming it adds a marker that expires with it', async () => {
    const Adapter = createRedisAdapterClass(redis);
    const refresh = new Adapter('RefreshToken');
    await refresh.upsert('rt-string', { grantId: 'g-string', accountId: 'a1' } as never, 600);
    expect(await raw.type(`${prefix}pforte:oidc:RefreshToken:{rt-string}`)).toBe('string');
    await refresh.consume('rt-string');
    expect(await refresh.find('rt-string')).toMatchObject({ accountId: 'a1', consumed: expect.any(Number) });
    const markerTtl = await raw.ttl(`${prefix}pforte:oidc:RefreshToken:{rt-string}:consumed`);
    expect(markerTtl).toBeGreaterThan(590);
    expect(markerTtl).toBeLessThanOrEqual(600);
    // Saving again starts unconsumed, as before.
    await refresh.upsert('rt-string', { grantId: 'g-string', accountId: 'a1' } as never, 600);
    expect((await refresh.find('rt-string'))?.consumed).toBeUndefined();
    await refresh.destroy('rt-string');
    expect(await raw.exists(`${prefix}pforte:oidc:RefreshToken:{rt-string}`, `${prefix}pforte:oidc:RefreshToken:{rt-string}:consumed`)).toBe(0);
  });

  test('an artifact stored as a hash by an earlier version is still found, consumed once, and replaced on save', async () => {
    const Adapter = createRedisAdapterClass(redis);
    const codes = new Adapter('AuthorizationCode');
    const legacyKey = 'pforte:oidc:AuthorizationCode:{c-legacy}';
    await redis.hset(legacyKey, 'payload', JSON.stringify({ grantId: 'g-legacy', accountId: 'a-legacy' }));
    await redis.expire(legacyKey, 60);
    expect(await codes.find('c-legacy')).toEqual({ grantId: 'g-legacy', accountId: 'a-legacy' });
    await codes.consume('c-legacy');
    expect(await codes.find('c-legacy')).toMatchObject({ consumed: expect.any(Number) });
    await expect(codes.consume('c-legacy')).rejects.toMatchObject({ error: 'invalid_grant' });
    const sessions = new Adapter('Session');
    await redis.hset('pforte:oidc:Session:{s-legacy}', 'payload', JSON.stringify({ accountId: 'a-legacy' }));
    await sessions.upsert('s-legacy', { accountId: 'a-legacy', uid: 'u-legacy' } as never, 600);
    expect(await raw.type(`${prefix}pforte:oidc:Session:{s-legacy}`)).toBe('string');
    expect(await sessions.find('s-legacy')).toMatchObject({ uid: 'u-legacy' });
  });
});

