import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Logger } from './observability/logger.js';
import { loggableError } from './observability/loggable-error.js';

export interface ReloadingApp {
  /** The HTTP handler; always the newest app's. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Compares the key set's version now; rebuilds the app when it changed. */
  check(): Promise<boolean>;
  stop(): void;
}

export interface ReloadingAppDeps {
  build(): Promise<Provider>;
  /** A value that changes whenever a signing key is added or retired (in Postgres). */
  keysVersion(): Promise<string>;
  pollSeconds: number;
  logger: Logger;
}

/**
 * oidc-provider takes its signing keys once, when it is built. A rotation made by any
 * process (or the CLI) lands in Postgres; each process polls the key set's version and,
 * when it changed, builds a fresh provider and hands it the next requests. Requests
 * under way finish on the app they started on; all flow state is in Redis, so nothing
 * is lost by the swap.
 */
export async function createReloadingApp({ build, keysVersion, pollSeconds, logger }: ReloadingAppDeps): Promise<ReloadingApp> {
  // Version first, then build: a change in between is seen again at the next poll.
  let seen = await keysVersion();
  let handler = (await build()).callback();
  let checking: Promise<boolean> | undefined;

  async function reloadIfChanged(): Promise<boolean> {
    const now = await keysVersion();
    if (now === seen) return false;
    handler = (await build()).callback();
    seen = now;
    logger.info({ component: 'signing-keys' }, 'signing keys changed: provider rebuilt');
    return true;
  }
  const check = () => {
    checking ??= reloadIfChanged().finally(() => {
      checking = undefined;
    });
    return checking;
  };
  const timer = setInterval(() => {
    check().catch((error) => logger.warn({ component: 'signing-keys', err: loggableError(error) }, 'signing key check failed'));
  }, pollSeconds * 1000);
  timer.unref();
  return {
    handle: (req, res) => void handler(req, res),
    check,
    stop: () => clearInterval(timer),
  };
}
