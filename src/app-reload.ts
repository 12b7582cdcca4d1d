import type { Logger } from './observability/logger.js';
import { loggableError } from './observability/loggable-error.js';

/**
 * A rotation or retirement made by another process (or the CLI) lands in Postgres; each
 * process asks its keyring to reload every `pollSeconds` (one small query when nothing
 * changed). A change rebuilds the provider with the new keys (see `buildApp`), so it is in
 * force everywhere within the poll time (SPEC 8: 60 s).
 */
export function pollSigningKeys({ reload, pollSeconds, logger }: { reload: () => Promise<boolean>; pollSeconds: number; logger: Logger }): { stop(): void } {
  const log = logger.child({ component: 'signing-keys' });
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    reload()
      .then((changed) => { if (changed) log.info('signing keys changed: provider rebuilt'); })
      .catch((error) => log.warn({ err: loggableError(error) }, 'signing key check failed'))
      .finally(() => { checking = false; });
  }, pollSeconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
