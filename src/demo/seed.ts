import type { Config } from '../config/index.js';
import type { Services } from '../services.js';
import { DEMO_CLIENT_NAME } from './routes.js';

export const DEMO_USER = { email: 'demo@example.com', password: 'Demo-Passw0rd!', name: 'Demo User' };

/**
 * On a start with embedded defaults and no demo client yet: a first-party demo client for /demo and a
 * demo user, so a newcomer can watch a whole sign-in at once.
 */
export async function seedDemo(config: Config, services: Services): Promise<string[] | undefined> {
  const existing = await services.clients.list();
  if (existing.some((client) => client.name === DEMO_CLIENT_NAME)) return undefined;
  await services.clients.create({
    name: DEMO_CLIENT_NAME,
    redirectUris: [`${config.issuer}/demo/callback`],
    postLogoutRedirectUris: [`${config.issuer}/demo`],
    firstParty: true,
  }, 'seed');
  if (!(await services.accounts.findByEmail(DEMO_USER.email))) {
    await services.accounts.create({ ...DEMO_USER, actor: 'seed' });
  }
  return [
    `pforte is running with embedded defaults (PGlite under .data/, in-memory Redis, mails at ${config.issuer}/dev/outbox).`,
    `Try a sign-in: open ${config.issuer}/demo and click "Mit pforte anmelden" (add ?ui_locales=en for English).`,
    `Demo user: ${DEMO_USER.email} / ${DEMO_USER.password}`,
  ];
}
