import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { createTestDatabase } from '../helpers/database.js';
import { freePort } from '../helpers/free-port.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startServerProcess } from '../helpers/server-process.js';

let redis: RedisServer;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let dataDir: string;

beforeAll(async () => {
  redis = await startRedisServer();
  database = await createTestDatabase('sigterm');
  dataDir = mkdtempSync(join(tmpdir(), 'pforte-sigterm-'));
});
afterAll(async () => {
  await redis?.remove();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('SIGTERM: the request in flight is answered, new connections are refused, pools close, exit code 0', async () => {
  const port = await freePort();
  const server = await startServerProcess({
    PORT: String(port),
    ISSUER: `http://localhost:${port}`,
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    COOKIE_SECRETS: randomBytes(32).toString('hex'),
    KEY_ENCRYPTION_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'debug',
  });

  // A token request whose body is still on its way: in flight when SIGTERM arrives.
  const body = 'grant_type=client_credentials&client_id=nobody&client_secret=nothing';
  const inFlight = request({ host: '127.0.0.1', port, method: 'POST', path: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) } });
  const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
    inFlight.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    inFlight.on('error', reject);
  });
  inFlight.write(body.slice(0, 10));
  inFlight.flushHeaders();
  await server.waitForLog((line) => line.msg === 'request started' && line.path === '/token');

  server.kill('SIGTERM');
  await server.waitForLog((line) => line.msg === 'shutting down');
  // No new connections once shutting down.
  await expect(new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve('connected'); });
    socket.on('error', reject);
  })).rejects.toMatchObject({ code: 'ECONNREFUSED' });

  inFlight.end(body.slice(10));
  const res = await answered;
  expect(res.status).toBe(401);
  expect(JSON.parse(res.text).error).toBe('invalid_client');

  expect(await server.exited).toEqual({ code: 0, signal: null });
  expect(server.logs().some((line) => line.msg === 'stopped')).toBe(true);
  expect(server.logs().filter((line) => (line.level as number) >= 50)).toEqual([]);
});
