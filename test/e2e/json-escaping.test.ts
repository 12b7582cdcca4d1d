import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Found by the fuzz suite (issue 7): oidc-provider echoes requested scopes in JSON error
 * bodies, and a scope token may contain `<` and `>`; JSON answers must never carry markup raw.
 */
let app: TestApp;
let rp: RelyingParty;
beforeAll(async () => {
  app = await startTestApp();
  rp = await registerRelyingParty(app, { grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] });
});
afterAll(() => app?.close());

const basic = (party: RelyingParty) => `Basic ${Buffer.from(`${party.clientId}:${party.clientSecret}`).toString('base64')}`;

async function postToken(form: Record<string, string>) {
  return fetch(`${app.url}/token`, {
    method: 'POST',
    headers: { authorization: basic(rp), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

describe('JSON answers escape HTML metacharacters', () => {
  test('a refused scope comes back as \\u003c…\\u003e, and parses to the same value', async () => {
    const account = await app.services.accounts.create({ email: 'json.escape@example.com', password: 'Sichere-Passw0rt!' });
    const flow = new LoginFlow(app, rp);
    await flow.startAuthorization();
    await flow.submitPassword(account.email, 'Sichere-Passw0rt!');
    const tokens = await flow.finishAtCallback();

    const scope = '<img src=x onerror=alert(1)>&';
    const res = await postToken({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, scope });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    expect(text).not.toMatch(/[<>&]/);
    expect(text).toContain('\\u003cimg');
    expect(JSON.parse(text)).toMatchObject({ error: 'invalid_scope', scope });
  });

  test('a successful JSON answer is unchanged in meaning', async () => {
    const res = await postToken({ grant_type: 'client_credentials' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.token_type).toBe('Bearer');
    expect(typeof body.access_token).toBe('string');
  });
});
