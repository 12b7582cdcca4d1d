import { afterAll, beforeAll, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { DEMO_MANAGER, seedDemo } from '../../src/demo/seed.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// The laptop default (SPEC 1): PGlite on disk and in-process short-lived state.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { embedded: true });
}, 60_000);
afterAll(() => app?.close());

test('the whole flow passes on the embedded defaults, including atomic code redemption', async () => {
  const rp = await registerRelyingParty(app);
  await app.services.accounts.create({ email: 'laptop@example.com', password: 'Laptop-Passw0rd!' });
  const flow = new LoginFlow(app, rp);
  await flow.startAuthorization();
  await flow.submitPassword('laptop@example.com', 'Laptop-Passw0rd!');
  const results = await Promise.allSettled(Array.from({ length: 5 }, () => flow.finishAtCallback()));
  const won = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<LoginFlow['finishAtCallback']>>>[];
  expect(won).toHaveLength(1);
  expect(won[0]!.value.claims()!.email).toBe('laptop@example.com');

  // The losers of that race count as replays and revoked the grant; sign in once more.
  const second = new LoginFlow(app, rp, flow.browser);
  await second.startAuthorization();
  const tokens = await second.finishAtCallback();
  const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
  await expect(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  await expect(oidc.refreshTokenGrant(rp.config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
}, 60_000);

test('the first start seeds a demo client, a demo user and a demo broker whose user manager may use /manage', async () => {
  const lines = await seedDemo(app.config, app.services);
  expect(lines?.join('\n')).toContain(`${app.url}/manage as ${DEMO_MANAGER.email}`);
  const manager = await app.services.accounts.findByEmail(DEMO_MANAGER.email);
  const actor = await app.services.members.managerActor(manager!);
  expect(actor).toBeDefined();
  const { members } = await app.services.members.list(actor!, {});
  expect(members.map((member) => member.email).sort()).toEqual(['kim.kollegin@example.com', DEMO_MANAGER.email]);
  expect(await app.services.members.grantableRoles(actor!.organisationId)).toEqual(['file-manager', 'fleet-manager', 'user-manager']);
  // A second start seeds nothing again.
  expect(await seedDemo(app.config, app.services)).toBeUndefined();
});
