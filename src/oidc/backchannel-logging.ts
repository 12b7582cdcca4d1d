import type Provider from 'oidc-provider';
import type { Logger } from '../observability/logger.js';

/**
 * An undelivered back-channel logout leaves the relying party's session alive, so every
 * failure is logged (client, error code and message: never the logout token or the
 * response); deliveries at debug.
 */
export function logBackchannelLogout(provider: Provider, logger: Logger): void {
  provider.on('backchannel.error', (ctx, error, client) => {
    const { name, message, code } = error as Error & { code?: unknown };
    logger.error(
      { requestId: ctx.state?.requestId, clientId: client.clientId, err: { name, code: typeof code === 'string' ? code : undefined, message } },
      'back-channel logout failed',
    );
  });
  provider.on('backchannel.success', (ctx, client) => {
    logger.debug({ requestId: ctx.state?.requestId, clientId: client.clientId }, 'back-channel logout delivered');
  });
}
