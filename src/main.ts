import { createServer } from 'node:http';
import { buildApp } from './app.js';
import { pollSigningKeys } from './app-reload.js';
import { ConfigError, loadConfig } from './config/index.js';
import { fileDevSecrets } from './config/dev-secrets.js';
import { seedDemo } from './demo/seed.js';
import { isEmbedded } from './store/pg/db.js';
import { createLogger } from './observability/logger.js';
import { openRuntime } from './runtime.js';
import { createGracefulShutdown } from './shutdown.js';

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
  const keyPoll = pollSigningKeys({ reload: () => runtime.services.signingKeys.reload(), pollSeconds: config.signingKeysPollSeconds, logger });
  const server = createServer(app.callback());
  server.listen(config.port, () => logger.info({ issuer: config.issuer, port: config.port }, 'pforte listening'));

  const shutdown = createGracefulShutdown({ server, logger, closeResources: async () => {
    keyPoll.stop();
    await runtime.close();
  } });
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
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
