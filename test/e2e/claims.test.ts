import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const PASSWORD = 'Sichere-Passw0rt!';
let app: TestApp;
let rp: RelyingParty;
let holding: { id: string; name: string };
let region: { id: string; name: string };
let agency: { id: string; name: string };

beforeAll(async () => {
  app = await startTestApp();
  rp = await registerRelyingParty(app);
  for (const name of ['group-manager', 'fleet-manager', 'personal-insurance', 'file-manager']) await app.services.roles.create({ name });
  const grantable = ['group-manager', 'fleet-manager', 'personal-insurance', 'file-manager'];
  holding = await app.services.organisations.create({ name: 'Muster Holding', grantableRoles: grantable });
  region = await app.services.organisations.create({ name: 'Muster Region Süd', parent: holding.name, grantableRoles: grantable });
  agency = await app.services.organisations.create({ name: 'Agentur München', parent: region.name, grantableRoles: grantable });
});
afterAll(() => app?.close());

async function tokensFor(email: string, scope: string, extra: Record<string, string> = {}) {
  const flow = new LoginFlow(app, rp, new Browser(app.url));
  await flow.startAuthorization({ scope, ...extra });
  await flow.submitPassword(email, PASSWORD);
  return { flow, tokens: await flow.finishAtCallback() };
}

describe('claims by scope', () => {
  test('roles only with scope roles, org with scope org, agent_number with scope agent; userinfo agrees', async () => {
    const account = await app.services.accounts.create({ email: 'sachbearbeiter@example.com', password: PASSWORD, agentNumber: '60/111/2222', organisation: agency.name, roles: ['fleet-manager', 'personal-insurance'] });
    const plain = (await tokensFor(account.email, 'openid email profile')).tokens.claims()!;
    expect(plain.roles).toBeUndefined();
    expect(plain.org).toBeUndefined();
    expect(plain.agent_number).toBeUndefined();

    const { tokens } = await tokensFor(account.email, 'openid email roles org agent');
    const claims = tokens.claims()!;
    expect(claims.roles).toEqual(['fleet-manager', 'personal-insurance']);
    expect(claims.org).toEqual({ id: agency.id, name: agency.name });
    expect(claims.orgs).toBeUndefined(); // not a group manager
    expect(claims.agent_number).toBe('60/111/2222');
    const userinfo = await oidc.fetchUserInfo(rp.config, tokens.access_token, account.id);
    expect(userinfo).toMatchObject({ roles: claims.roles, org: claims.org, agent_number: '60/111/2222' });
  });

  test('a group manager\'s orgs cover a three-level holding', async () => {
    const manager = await app.services.accounts.create({ email: 'konzern@example.com', password: PASSWORD, organisation: holding.name, roles: ['group-manager'] });
    const claims = (await tokensFor(manager.email, 'openid org roles')).tokens.claims()!;
    expect(claims.org).toEqual({ id: holding.id, name: holding.name });
    expect((claims.orgs as { id: string }[]).map((o) => o.id).sort()).toEqual([holding.id, region.id, agency.id].sort());
  });

  test('role changes show in the next token', async () => {
    const account = await app.services.accounts.create({ email: 'wechsel@example.com', password: PASSWORD, organisation: agency.name, roles: ['file-manager'] });
    const first = await tokensFor(account.email, 'openid roles');
    expect(first.tokens.claims()!.roles).toEqual(['file-manager']);
    await app.services.accounts.update(account.id, { roles: ['fleet-manager'] });
    const refreshed = await oidc.refreshTokenGrant(rp.config, first.tokens.refresh_token!);
    expect(refreshed.claims()!.roles).toEqual(['fleet-manager']);
  });

  test('the claims parameter asks for single claims', async () => {
    const account = await app.services.accounts.create({ email: 'einzeln@example.com', password: PASSWORD, agentNumber: '60/111/3333' });
    const claims = (await tokensFor(account.email, 'openid', { claims: JSON.stringify({ id_token: { agent_number: null, email: { essential: true } } }) })).tokens.claims()!;
    expect(claims.agent_number).toBe('60/111/3333');
    expect(claims.email).toBe(account.email);
    expect(claims.roles).toBeUndefined();

    // A client not registered for scope agent cannot get agent_number by asking for the claim.
    const noAgent = await registerRelyingParty(app, { scopes: ['openid', 'email'] });
    const flow = new LoginFlow(app, noAgent, new Browser(app.url));
    await flow.startAuthorization({ scope: 'openid', claims: JSON.stringify({ id_token: { agent_number: null } }) });
    await flow.submitPassword(account.email, PASSWORD);
    expect((await flow.finishAtCallback()).claims()!.agent_number).toBeUndefined();
  });
});
