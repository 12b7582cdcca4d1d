import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const PASSWORD = 'Sichere-Passw0rt!';

let app: TestApp;
let rp: RelyingParty;

beforeAll(async () => {
  app = await startTestApp();
  rp = await registerRelyingParty(app);
});
afterAll(() => app?.close());

/** A signed-in browser with its tokens, for an account that ends afterwards. */
async function signedIn() {
  const email = `ended-${Math.random().toString(36).slice(2)}@example.com`;
  const { id } = await app.services.accounts.create({ email, password: PASSWORD });
  const flow = new LoginFlow(app, rp);
  await flow.startAuthorization({ scope: 'openid email' });
  await flow.submitPassword(email, PASSWORD);
  return { id, email, browser: flow.browser, tokens: await flow.finishAtCallback() };
}

// There is no block or delete command yet; an administrator's change is a row change.
const ENDINGS = {
  blocked: (id: string) => app.runtime.db('accounts').where({ id }).update({ status: 'blocked' }),
  deleted: (id: string) => app.runtime.db('accounts').where({ id }).delete(),
};

describe.each(Object.entries(ENDINGS))('an account %s while its session and tokens live', (_label, end) => {
  test('a new authorization shows the login page: the stale session ends, no error', async () => {
    const { id, browser } = await signedIn();
    await end(id);
    const flow = new LoginFlow(app, rp, browser);
    const target = await flow.startAuthorization({ ui_locales: 'en' });
    expect(new URL(target).pathname).toMatch(/^\/interaction\//);
    expect(await flow.showPage()).toContain('type="password"');
  });

  test('another account signs in from the login page: an ordinary login, no account switch', async () => {
    const { id, browser } = await signedIn();
    await end(id);
    const other = `other-${Math.random().toString(36).slice(2)}@example.com`;
    const otherId = (await app.services.accounts.create({ email: other, password: PASSWORD })).id;
    const flow = new LoginFlow(app, rp, browser);
    await flow.startAuthorization();
    await flow.submitPassword(other, PASSWORD);
    expect(flow.callbackUrl).toBeDefined();
    expect((await flow.finishAtCallback()).claims()!.sub).toBe(otherId);
  });

  test('prompt=none answers login_required at the relying party', async () => {
    const { id, browser } = await signedIn();
    await end(id);
    const flow = new LoginFlow(app, rp, browser);
    const target = await flow.startAuthorization({ prompt: 'none' });
    expect(target.startsWith(rp.redirectUri)).toBe(true);
    expect(new URL(target).searchParams.get('error')).toBe('login_required');
  });

  test('its access token is inactive and refused at userinfo; its refresh token is refused', async () => {
    const { id, tokens } = await signedIn();
    expect((await oidc.tokenIntrospection(rp.config, tokens.access_token)).active).toBe(true);
    await end(id);
    expect(await oidc.tokenIntrospection(rp.config, tokens.access_token)).toEqual({ active: false });
    expect(await oidc.tokenIntrospection(rp.config, tokens.refresh_token!)).toEqual({ active: false });
    await expect(oidc.fetchUserInfo(rp.config, tokens.access_token, id)).rejects.toMatchObject({
      status: 401,
      cause: [expect.objectContaining({ scheme: 'bearer', parameters: expect.objectContaining({ error: 'invalid_token' }) })],
    });
    await expect(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

test('a session ended for a blocked account stays ended when the account is unblocked', async () => {
  const { id, browser } = await signedIn();
  await ENDINGS.blocked(id);
  await new LoginFlow(app, rp, browser).startAuthorization();
  await app.runtime.db('accounts').where({ id }).update({ status: 'active' });
  const target = await new LoginFlow(app, rp, browser).startAuthorization({ prompt: 'none' });
  expect(new URL(target).searchParams.get('error')).toBe('login_required');
});

test('a client_credentials token names no account and stays active at introspection', async () => {
  const machine = await registerRelyingParty(app, { grantTypes: ['client_credentials'], redirectUris: [] });
  const token = await oidc.clientCredentialsGrant(machine.config, { scope: '' });
  expect((await oidc.tokenIntrospection(machine.config, token.access_token)).active).toBe(true);
});
