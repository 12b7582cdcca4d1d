import { ConfigError, type Config } from './config/index.js';
import { SecretNotOpened } from './domain/secret-box.js';
import { ensureSigningKeys } from './domain/signing-keys.js';
import type { Logger } from './observability/logger.js';
import { loggableError } from './observability/loggable-error.js';
import { createServices, type Services } from './services.js';
import { createDb, migrate, type Db } from './store/pg/db.js';
import { createRedis, type RedisConnection } from './store/redis/connect.js';

export interface Runtime {
  config: Config;
  db: Db;
  redis: RedisConnection;
  services: Services;
  close(): Promise<void>;
}

/** Connects to Postgres and Redis, migrates, and makes sure signing keys exist. */
export async function openRuntime(config: Config, logger: Logger, { keyPrefix, clock }: { keyPrefix?: string; clock?: () => Date } = {}): Promise<Runtime> {
  const db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
  const redis = createRedis({ redisUrl: config.redisUrl, keyPrefix });
  redis.on?.('error', (err: Error) => logger.warn({ err: loggableError(err) }, 'redis connection problem'));
  const services = createServices({ config, db, redis, logger, clock });
  try {
    await ensureSigningKeys(services.signingKeys.repo, services.signingKeys.box);
    await assertSecretOpensKeys(services);
  } catch (error) {
    // A start that stops here leaves no connection open behind it.
    redis.disconnect();
    await db.destroy();
    throw error;
  }
  return {
    config,
    db,
    redis,
    services,
    async close() {
      await services.lockNotices.settled();
      services.mailer.close();
      redis.disconnect();
      await db.destroy();
    },
  };
}

/**
 * A KEY_ENCRYPTION_SECRET that opens none of the stored keys (changed instead of rotated)
 * stops the start with the variable's name, not a cipher's stack trace.
 */
async function assertSecretOpensKeys(services: Services): Promise<void> {
  try {
    await services.signingKeys.load();
  } catch (error) {
    if (!(error instanceof SecretNotOpened)) throw error;
    throw new ConfigError([
      'KEY_ENCRYPTION_SECRET: opens none of the stored signing keys; to rotate it, list the new secret first and the old one after it (comma-separated), then run `pforte keys reencrypt`',
    ]);
  }
}
