import { fileDevSecrets } from '../config/dev-secrets.js';
import { loadConfig, type Config } from '../config/index.js';
import type { Actor } from '../domain/policies/actor.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { createDb, type Db } from '../store/pg/db.js';
import type { RedisConnection } from '../store/redis/connect.js';
import type { CliIo } from './output.js';

/** What every command gets: where to write, and how to reach the stores for one run. */
export interface CliContext {
  io: CliIo;
  /** Recorded as the actor of audit events; the OS user when known. */
  actor: string;
  /** The CLI acts as an administrator (ARCHITECTURE-REVIEW P3), named like `actor`. */
  admin: Actor;
  /** Set by a command that finished but must not exit 0 (e.g. an import with rejected rows). */
  exitCode?: number;
  /** Postgres only, no migrations, no Redis (for `pforte migrate`); always closed afterwards. */
  withDb<T>(work: (db: Db, tools: { config: Config; logger: Logger }) => Promise<T>): Promise<T>;
  /** The full runtime (migrated Postgres, Redis, services); always closed afterwards. */
  withRuntime<T>(work: (runtime: Runtime) => Promise<T>): Promise<T>;
}

export function createCliContext(io: CliIo): CliContext {
  // Loaded on first use, so `--help` and usage errors need no configuration.
  const setup = () => {
    const config = loadConfig(io.env, fileDevSecrets(io.env.DATA_DIR || '.data'));
    return { config, logger: createLogger({ level: config.logLevel }) };
  };
  const actor = io.env.USER ? `cli:${io.env.USER}` : 'cli';
  return {
    io,
    actor,
    admin: { kind: 'admin', id: actor },
    async withDb(work) {
      const { config, logger } = setup();
      const db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        return await work(db, { config, logger });
      } finally {
        await db.destroy();
      }
    },
    async withRuntime(work) {
      const { config, logger } = setup();
      const runtime = await openRuntime(config, logger);
      try {
        return await work(runtime);
      } finally {
        await untilRedisHandshakeEnds(runtime.redis);
        await runtime.close();
      }
    },
  };
}

/**
 * A command may finish before Redis has finished connecting; ioredis, disconnected in the
 * middle of its handshake, keeps the process alive for its 2-second disconnect timeout.
 * So wait (bounded) until the connection is ready or has failed, then close.
 */
async function untilRedisHandshakeEnds(redis: RedisConnection, maxWaitMs = 1000): Promise<void> {
  if (redis.status !== 'connecting' && redis.status !== 'connect') return;
  await new Promise<void>((resolve) => {
    const events = ['ready', 'close', 'end'] as const;
    const done = () => {
      clearTimeout(timer);
      for (const event of events) redis.off(event, done);
      resolve();
    };
    const timer = setTimeout(done, maxWaitMs);
    for (const event of events) redis.once(event, done);
  });
}
