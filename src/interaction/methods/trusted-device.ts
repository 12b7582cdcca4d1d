import { readDeviceToken } from '../device-cookie.js';
import type { SilentMethod } from './silent-method.js';

/** The browser's trusted-device cookie stands in for the TAN (SPEC 4.4), unless the client forbids it. */
export const trustedDevice: SilentMethod = {
  name: 'trusted-device',
  async prove(deps, ctx, interaction, accountId) {
    if (interaction.clientMetadata.device_shortcut === false) return undefined;
    const account = await deps.accounts.findById(accountId);
    if (!account) return undefined;
    const device = await deps.devices.recognise(readDeviceToken(ctx, deps.config), account.id, ctx.get('user-agent'), account.password_changed_at);
    return device ? 'device' : undefined;
  },
};
