import { readDeviceToken } from '../device-cookie.js';
import type { SilentMethod } from './silent-method.js';

/** The browser's trusted-device cookie stands in for the TAN (SPEC 4.4), unless the client forbids it. */
export const trustedDevice: SilentMethod = {
  name: 'trusted-device',
  async prove(deps, ctx, interaction, accountId, audit) {
    if (interaction.clientMetadata.device_shortcut === false) return undefined;
    const device = await deps.devices.recognise(readDeviceToken(ctx, deps.config), accountId, ctx.get('user-agent'), audit);
    return device ? 'device' : undefined;
  },
};
