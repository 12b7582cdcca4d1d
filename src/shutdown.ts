import type { Server } from 'node:http';
import type { Logger } from './observability/logger.js';
import { loggableError } from './observability/loggable-error.js';

export interface ShutdownDeps {
  server: Server;
  logger: Logger;
  /** Closes Postgres, Redis and SMTP once no request needs them any more. */
  closeResources(): Promise<void>;
  /** How long requests in flight may take to finish (SPEC 8), default 10 s. */
  graceMs?: number;
  exit?: (code: number) => void;
}

/**
 * SIGTERM/SIGINT: stop accepting connections, let the requests in flight finish (at most
 * `graceMs`, then their connections are cut), close the pools, exit 0. A second signal
 * changes nothing: the first shutdown is already under way.
 */
export function createGracefulShutdown({ server, logger, closeResources, graceMs = 10_000, exit = (code) => process.exit(code) }: ShutdownDeps) {
  let stopping: Promise<void> | undefined;
  // A keep-alive connection goes idle when its last response is out; while shutting down it
  // is ended then, instead of holding close() open until the keep-alive timeout.
  server.on('request', (_req, res) => {
    res.once('finish', () => {
      if (stopping) setImmediate(() => server.closeIdleConnections());
    });
  });
  return function shutdown(signal: string): Promise<void> {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections with nothing in flight would hold close() open: end them now.
      server.closeIdleConnections();
      logger.info({ signal, graceMs }, 'shutting down');
      const deadline = setTimeout(() => {
        logger.warn({ graceMs }, 'requests still in flight at the shutdown deadline: closing their connections');
        server.closeAllConnections();
      }, graceMs);
      deadline.unref();
      await closed;
      clearTimeout(deadline);
      let code = 0;
      try {
        await closeResources();
      } catch (error) {
        logger.error({ err: loggableError(error) }, 'closing connections failed');
        code = 1;
      }
      logger.info({ code }, 'stopped');
      exit(code);
    })();
    return stopping;
  };
}
