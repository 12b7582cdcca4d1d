import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Client metadata is cached per process (CLIENT_CACHE_SECONDS, below a minute): two
 * processes on one database, as in production behind a load balancer.
 */
let first: TestApp;
let second: TestApp;

beforeAll(async () => {
  first = await startTestApp();
  // A second process of the same deployment: same database and secrets.
  second = await startTestApp({
    DATABASE_URL: first.config.databaseUrl!,
    KEY_ENCRYPTION_SECRET: first.config.keyEncryptionSecret,
    COOKIE_SECRETS: first.config.cookieSecrets.join(','),
  });
});
afterAll(async () => {
  await second?.close();
  await first?.close();
});

async function clientCredentials(app: TestApp, client: { client_id: string; client_secret?: string }): Promise<number> {
  const res = await fetch(`${app.url}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  await res.arrayBuffer();
  return res.status;
}

function countClientQueries(app: TestApp): { count(): number; stop(): void } {
  let count = 0;
  const listener = (query: { sql: string }) => { if (/from "clients"/.test(query.sql)) count += 1; };
  app.runtime.db.on('query', listener);
  return { count: () => count, stop: () => app.runtime.db.removeListener('query', listener) };
}

describe('client metadata cache across processes', () => {
  test('the cache bound is below a minute', () => {
    expect(first.config.clientCacheSeconds).toBeGreaterThan(0);
    expect(first.config.clientCacheSeconds).toBeLessThan(60);
  });

  test('a client is read from Postgres once per cache period, not on every request', async () => {
    const client = await first.services.clients.create({ name: 'cached machine', grantTypes: ['client_credentials'] });
    const queries = countClientQueries(second);
    try {
      for (let i = 0; i < 3; i += 1) expect(await clientCredentials(second, client)).toBe(200);
      expect(queries.count()).toBe(1);
      second.clock.advance(second.config.clientCacheSeconds * 1000 + 1);
      expect(await clientCredentials(second, client)).toBe(200);
      expect(queries.count()).toBe(2);
    } finally {
      queries.stop();
    }
  });

  test('a deleted client is refused at once where it was deleted, on every other process once the cache time is over', async () => {
    const client = await first.services.clients.create({ name: 'doomed machine', grantTypes: ['client_credentials'] });
    expect(await clientCredentials(first, client)).toBe(200);
    expect(await clientCredentials(second, client)).toBe(200);
    await first.services.clients.delete(client.client_id);
    expect(await clientCredentials(first, client)).toBe(401);
    // The other process still has it, for at most CLIENT_CACHE_SECONDS.
    expect(await clientCredentials(second, client)).toBe(200);
    second.clock.advance(second.config.clientCacheSeconds * 1000 + 1);
    expect(await clientCredentials(second, client)).toBe(401);
  });

  test('a changed client is in force at once where it was changed', async () => {
    const client = await first.services.clients.create({ name: 'changing machine', grantTypes: ['client_credentials'] });
    expect(await clientCredentials(first, client)).toBe(200);
    await first.services.clients.update(client.client_id, { grantTypes: ['authorization_code'], redirectUris: ['https://rp.example.test/callback'] });
    expect(await clientCredentials(first, client)).toBe(400);
  });

  test('a client created on one process works at once on another', async () => {
    const client = await first.services.clients.create({ name: 'new machine', grantTypes: ['client_credentials'] });
    expect(await clientCredentials(second, client)).toBe(200);
  });
});
