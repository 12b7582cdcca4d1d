import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const PASSWORD = 'Sichere-Passw0rt!';

let app: TestApp;
let rp: RelyingParty;
let otherRp: RelyingParty;

beforeAll(async () => {
  app = await startTestApp();
  rp = await registerRelyingParty(app);
  otherRp = await registerRelyingParty(app, { name: 'Other portal' });
});
afterAll(() => app?.close());

async function signIn(email: string, party: RelyingParty, flow = new LoginFlow(app, party)) {
  await flow.startAuthorization({ scope: 'openid email offline_access' });
  await flow.submitPassword(email, PASSWORD);
  return { flow, tokens: await flow.finishAtCallback() };
}

async function promptNone(flow: LoginFlow, party: RelyingParty): Promise<string | null> {
  const again = new LoginFlow(app, party, flow.browser);
  const target = await again.startAuthorization({ prompt: 'none' });
  return new URL(target).searchParams.get('error');
}

async function sessionIdsOf(accountId: string): Promise<string[]> {
  return app.runtime.redis.hkeys(`pforte:account:{${accountId}}:sessions`);
}

describe('ending every session of an account (index from account to sessions and grants)', () => {
  test('every browser and every relying party of the account is signed out; tokens die at once', async () => {
    const email = `everywhere-${Date.now()}@example.com`;
    const { id } = await app.services.accounts.create({ email, password: PASSWORD });
    const first = await signIn(email, rp);
    const second = await signIn(email, otherRp);
    const bystander = `bystander-${Date.now()}@example.com`;
    await app.services.accounts.create({ email: bystander, password: PASSWORD });
    const untouched = await signIn(bystander, rp);
    expect(await sessionIdsOf(id)).toHaveLength(2);

    await app.services.signOut.everywhere(id, { reason: 'sign_out_everywhere' });

    expect(await promptNone(first.flow, rp)).toBe('login_required');
    expect(await promptNone(second.flow, otherRp)).toBe('login_required');
    for (const [party, { tokens }] of [[rp, first], [otherRp, second]] as const) {
      expect(await oidc.tokenIntrospection(party.config, tokens.access_token)).toEqual({ active: false });
      await expect(oidc.fetchUserInfo(party.config, tokens.access_token, id)).rejects.toMatchObject({ status: 401 });
      await expect(oidc.refreshTokenGrant(party.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    }
    // Another account's session and tokens are not touched.
    expect(await promptNone(untouched.flow, rp)).toBeNull();
    expect((await oidc.tokenIntrospection(rp.config, untouched.tokens.access_token)).active).toBe(true);
    const [event] = await app.services.auditRepo.list({ accountId: id, type: 'account.signed_out' });
    expect(event).toMatchObject({ detail: { reason: 'sign_out_everywhere', sessions: 2 } });
  });

  test('the session that asked keeps going; the account\'s other browsers end', async () => {
    const email = `keep-${Date.now()}@example.com`;
    const { id } = await app.services.accounts.create({ email, password: PASSWORD });
    const here = await signIn(email, rp);
    const [hereSessionId] = await sessionIdsOf(id);
    const elsewhere = await signIn(email, rp);

    await app.services.signOut.everywhere(id, { reason: 'password_changed', keepSessionId: hereSessionId });

    expect(await promptNone(here.flow, rp)).toBeNull();
    expect(await promptNone(elsewhere.flow, rp)).toBe('login_required');
    await expect(oidc.refreshTokenGrant(rp.config, elsewhere.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await sessionIdsOf(id)).toEqual([hereSessionId]);
  });
});
