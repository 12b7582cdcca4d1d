import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type Provider from 'oidc-provider';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { createTestDatabase, TEST_REDIS_URL } from './database.js';

/** A clock the test moves by hand, so expiry is tested without sleeping. */
export interface TestClock {
  now(): Date;
  advance(ms: number): void;
}

export function createTestClock(): TestClock {
  let offsetMs = 0;
  return { now: () => new Date(Date.now() + offsetMs), advance: (ms) => { offsetMs += ms; } };
}

export interface TestApp {
  url: string;
  /** The port the server listens on (127.0.0.1), also when ISSUER names another host. */
  port: number;
  clock: TestClock;
  config: Config;
  runtime: Runtime;
  services: Runtime['services'];
  provider: Provider;
  redisPrefix: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Run on the embedded defaults (PGlite in a temp dir, in-memory Redis) instead. */
  embedded?: boolean;
  /** Where the app's JSON log lines go (with `LOG_LEVEL` in `env`), e.g. to scan them for leaks. */
  logDestination?: NodeJS.WritableStream;
}

/**
 * A real pforte on its own fresh Postgres database and Redis key prefix, listening on an
 * ephemeral port; `env` overrides configuration variables as an operator would.
 */
export async function startTestApp(env: Record<string, string> = {}, { embedded = false, logDestination }: TestAppOptions = {}): Promise<TestApp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const database = embedded ? undefined : await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'pforte-test-'));
  const redisPrefix = `test:${randomBytes(6).toString('hex')}:`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    ISSUER: `http://localhost:${port}`,
    ...(database ? { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL } : {}),
    COOKIE_SECRETS: randomBytes(32).toString('hex'),
    KEY_ENCRYPTION_SECRET: randomBytes(32).toString('hex'),
    BCRYPT_COST: '4',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    ...env,
  });
  const logger = createLogger({ level: config.logLevel, destination: logDestination });
  const clock = createTestClock();
  const runtime = await openRuntime(config, logger, { keyPrefix: redisPrefix, clock: clock.now });
  const provider = await buildApp({ ...runtime, logger });
  server.on('request', provider.callback());

  return {
    url: config.issuer,
    port,
    clock,
    config,
    runtime,
    services: runtime.services,
    provider,
    redisPrefix,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await runtime.close();
      if (database) {
        await database.drop();
        await deleteRedisKeys(redisPrefix);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
