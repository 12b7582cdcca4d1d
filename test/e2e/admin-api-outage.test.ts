import { afterAll, expect, test } from '@jest/globals';
import { adminCall, adminToken } from '../helpers/admin-api.js';
import { createTestDatabase } from '../helpers/database.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { startTestApp } from '../helpers/test-app.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

test('admin API with Postgres cut: 503 unavailable as JSON, never a 500; works again once restored', async () => {
  const database = await createTestDatabase('admin_cut');
  cleanups.push(() => database.drop());
  const direct = new URL(database.url);
  const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  cleanups.push(() => proxy.close());
  const viaProxy = new URL(database.url);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  // No client cache: the admin client's lookup itself meets the outage.
  const app = await startTestApp({ DATABASE_URL: viaProxy.href, CLIENT_CACHE_SECONDS: '0' });
  cleanups.push(() => app.close());
  const { token } = await adminToken(app);

  proxy.cut();
  for (const [method, path, body] of [['GET', '/users'], ['POST', '/roles', { name: 'outage-role' }]] as const) {
    const answer = await adminCall(app, method, path, { token, body });
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ error: 'unavailable', message: expect.any(String) });
    expect(answer.text).not.toMatch(/ECONNRESET|127\.0\.0\.1|knex|stack/i);
  }

  proxy.restore();
  expect((await adminCall(app, 'GET', '/users', { token })).status).toBe(200);
});
