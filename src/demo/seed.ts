import type { Config } from '../config/index.js';
import type { Services } from '../services.js';
import { DEMO_CLIENT_NAME } from './routes.js';

export const DEMO_USER = { email: 'demo@example.com', password: 'Demo-Passw0rd!', name: 'Demo User' };
/** A user manager of a demo broker with one colleague, so /manage can be tried at once. */
export const DEMO_MANAGER = { email: 'manager@example.com', password: DEMO_USER.password, name: 'Mara Manager' };
const DEMO_COLLEAGUE = { email: 'kim.kollegin@example.com', password: DEMO_USER.password, name: 'Kim Kollegin' };
const DEMO_ORGANISATION = 'Demo Makler GmbH';
const DEMO_ROLES = ['user-manager', 'file-manager', 'fleet-manager'];

async function seedDemoOrganisation(services: Services): Promise<void> {
  const known = new Set((await services.roles.list()).map((role) => role.name));
  for (const name of DEMO_ROLES) if (!known.has(name)) await services.roles.create({ name }, 'seed');
  const organisation = await services.organisations.create({ name: DEMO_ORGANISATION, grantableRoles: DEMO_ROLES }, 'seed');
  await services.accounts.create({ ...DEMO_MANAGER, organisation: organisation.id, roles: ['user-manager'], actor: 'seed' });
  await services.accounts.create({ ...DEMO_COLLEAGUE, organisation: organisation.id, roles: ['file-manager'], actor: 'seed' });
}

/**
 * On a start with embedded defaults and no demo client yet: a first-party demo client for /demo, a
 * demo user and a demo broker with a user manager, so a newcomer can watch a whole sign-in and
 * /manage at once.
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
  if (!(await services.accounts.findByEmail(DEMO_MANAGER.email))) await seedDemoOrganisation(services);
  return [
    `pforte is running with embedded defaults (PGlite under ${config.dataDir}/, in-memory Redis, mails at ${config.issuer}/dev/outbox).`,
    `Try a sign-in: open ${config.issuer}/demo and click "Mit pforte anmelden" (add ?ui_locales=en for English).`,
    `Demo user: ${DEMO_USER.email} / ${DEMO_USER.password}`,
    `User management: open ${config.issuer}/manage as ${DEMO_MANAGER.email} / ${DEMO_MANAGER.password} (the TAN is in the outbox).`,
  ];
}
