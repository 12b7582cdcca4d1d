import { createServer } from 'node:http';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config/index.js';
import { fileDevSecrets } from './config/dev-secrets.js';
import { seedDemo } from './demo/seed.js';
import { isEmbedded } from './store/pg/db.js';
import { createLogger } from './observability/logger.js';
import { openRuntime } from './runtime.js';

/** load config → connect → migrate → build app → listen → graceful shutdown */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, fileDevSecrets(process.env.DATA_DIR || '.data'));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`pforte: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  const runtime = await openRuntime(config, logger);
  if (isEmbedded(runtime.db) && !config.redisUrl) {
    const lines = await seedDemo(config, runtime.services);
    if (lines) for (const line of lines) process.stderr.write(`${line}\n`);
  }
  const app = await buildApp({ ...runtime, logger });
  const server = createServer(app.callback());
  server.listen(config.port, () => logger.info({ issuer: config.issuer, port: config.port }, 'pforte listening'));

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Finish requests in flight, then close the connections to Postgres and Redis.
    server.close(async () => {
      await runtime.close();
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error) => {
  // A configuration problem found while connecting (e.g. a wrong KEY_ENCRYPTION_SECRET) needs no stack.
  if (error instanceof ConfigError) {
    process.stderr.write(`pforte: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`pforte: failed to start: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
