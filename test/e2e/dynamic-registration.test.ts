import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { REGISTERED_BY_ADMIN } from '../../src/domain/clients.js';
import { TEST_REDIS_URL } from '../helpers/database.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { configureRelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const PASSWORD = 'Sichere-Passw0rt!';
const REDIRECT = 'https://rp.example.test/callback';

interface Answer { status: number; body: Record<string, unknown> }

async function call(app: TestApp, method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  const response = await fetch(new URL(path, app.url), {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const register = (app: TestApp, token: string | undefined, metadata: Record<string, unknown>) => call(app, 'POST', '/reg', token, metadata);
const clientCount = async (app: TestApp) => Number((await app.runtime.db('clients').count({ n: '*' }))[0]!.n);

describe('dynamic client registration (RFC 7591/7592)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    await app.services.accounts.create({ email: 'dcr@example.com', password: PASSWORD });
  });
  afterAll(() => app?.close());

  test('discovery names the registration endpoint', async () => {
    const discovery = await call(app, 'GET', '/.well-known/openid-configuration');
    expect(discovery.body.registration_endpoint).toBe(`${app.url}/reg`);
  });

  test('without an initial access token, or with an unknown one, nothing is registered', async () => {
    const before = await clientCount(app);
    for (const token of [undefined, 'not-a-token']) {
      const answer = await register(app, token, { redirect_uris: [REDIRECT] });
      expect(answer.status).toBe(401);
      expect(answer.body.error).toBe('invalid_token');
    }
    expect(await clientCount(app)).toBe(before);
  });

  test('a registered client gets the CLI defaults, is third party and carries no admin marker; the token is single use', async () => {
    const { token } = await app.services.initialAccessTokens.create();
    const answer = await register(app, token, {
      client_name: 'Self-registered RP',
      redirect_uris: [REDIRECT],
      // A relying party may not grant itself any of these:
      first_party: true,
      pkce_required: false,
      min_acr: 'urn:pforte:loa:0',
      [REGISTERED_BY_ADMIN]: true,
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      client_id: expect.any(String),
      client_secret: expect.any(String),
      registration_access_token: expect.any(String),
      registration_client_uri: expect.stringContaining('/reg/'),
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid email profile roles org agent offline_access',
      default_acr_values: ['urn:pforte:loa:1'],
      allowed_acr_values: ['urn:pforte:loa:1', 'urn:pforte:loa:2'],
      min_acr: 'urn:pforte:loa:1',
      first_party: false,
      pkce_required: true,
    });
    const clientId = answer.body.client_id as string;
    const row = await app.runtime.db('clients').where({ client_id: clientId }).first();
    expect(row.name).toBe('Self-registered RP');
    expect(row.metadata).not.toHaveProperty(REGISTERED_BY_ADMIN);
    expect(row.metadata).not.toHaveProperty('client_secret');
    expect(row.secret_encrypted).toMatch(/^v1\./);

    const reused = await register(app, token, { client_name: 'Second', redirect_uris: [REDIRECT] });
    expect(reused.status).toBe(401);
    expect(reused.body.error).toBe('invalid_token');

    // Third party: the consent page is shown.
    const rp = { clientId, clientSecret: answer.body.client_secret as string, redirectUri: REDIRECT, config: await configureRelyingParty(app, clientId, answer.body.client_secret as string) };
    const flow = new LoginFlow(app, rp);
    await flow.startAuthorization({ ui_locales: 'en' });
    await flow.submitPassword('dcr@example.com', PASSWORD);
    expect(await flow.showPage()).toContain('Allow');
    await flow.submit('consent', {});
    expect((await flow.finishAtCallback()).claims()!.email).toBe('dcr@example.com');
  });

  test('an expired initial access token is refused', async () => {
    const { token } = await app.services.initialAccessTokens.create({ ttlHours: 1 });
    app.clock.advance(61 * 60 * 1000);
    const answer = await register(app, token, { redirect_uris: [REDIRECT] });
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('invalid_token');
  });

  test.each([
    ['a javascript: URI', { redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
    ['a fragment', { redirect_uris: ['https://rp.example.test/cb#frag'] }, 'invalid_redirect_uri'],
    ['a wildcard', { redirect_uris: ['https://*.example.test/cb'] }, 'invalid_redirect_uri'],
    ['http on a public host', { redirect_uris: ['http://rp.example.test/cb'] }, 'invalid_redirect_uri'],
    ['no redirect URI for the code grant', { redirect_uris: [] }, 'invalid_redirect_uri'],
    ['a bad post-logout URI', { redirect_uris: [REDIRECT], post_logout_redirect_uris: ['javascript:alert(1)'] }, 'invalid_client_metadata'],
    ['an unknown scope', { redirect_uris: [REDIRECT], scope: 'openid admin' }, 'invalid_client_metadata'],
    ['a JWT auth method', { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata'],
    ['a public client with client_credentials', { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] }, 'invalid_client_metadata'],
    ['a wrongly typed field', { redirect_uris: REDIRECT }, 'invalid_redirect_uri'],
  ])('%s is refused in RFC 7591 form and the token stays usable', async (_name, metadata, error) => {
    const { token } = await app.services.initialAccessTokens.create();
    const before = await clientCount(app);
    const answer = await register(app, token, metadata);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe(error);
    expect(answer.body.error_description).toEqual(expect.any(String));
    expect(await clientCount(app)).toBe(before);
    expect((await register(app, token, { redirect_uris: [REDIRECT] })).status).toBe(201);
  });

  test('read, update and delete by registration access token; another client\'s token is refused', async () => {
    const first = await register(app, (await app.services.initialAccessTokens.create()).token, { client_name: 'Managed', redirect_uris: [REDIRECT] });
    const other = await register(app, (await app.services.initialAccessTokens.create()).token, { client_name: 'Other', redirect_uris: [REDIRECT] });
    const clientId = first.body.client_id as string;
    const path = `/reg/${clientId}`;
    const rat = first.body.registration_access_token as string;

    // Durable in Postgres, without a lifetime, and not in Redis at all.
    const stored = await app.runtime.db('registration_tokens').where({ client_id: clientId }).select('kind', 'expires_at');
    expect(stored).toEqual([{ kind: 'RegistrationAccessToken', expires_at: null }]);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.keys(`${app.redisPrefix}*RegistrationAccessToken*`)).toEqual([]);
      expect(await redis.keys(`${app.redisPrefix}*InitialAccessToken*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }

    const read = await call(app, 'GET', path, rat);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ client_id: clientId, client_name: 'Managed' });

    const crossed = await call(app, 'GET', path, other.body.registration_access_token as string);
    expect(crossed.status).toBe(401);
    expect(crossed.body.error).toBe('invalid_token');

    const refused = await call(app, 'PUT', path, rat, { client_id: clientId, client_name: 'Managed', redirect_uris: ['javascript:alert(1)'] });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_redirect_uri');
    expect((await app.services.clients.show(clientId)).metadata.redirect_uris).toEqual([REDIRECT]);

    const updated = await call(app, 'PUT', path, rat, { client_id: clientId, client_name: 'Managed', redirect_uris: ['https://rp.example.test/new'], first_party: true });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ redirect_uris: ['https://rp.example.test/new'], first_party: false });
    const shown = await app.services.clients.show(clientId);
    expect(shown.metadata.redirect_uris).toEqual(['https://rp.example.test/new']);
    expect(shown.metadata).not.toHaveProperty(REGISTERED_BY_ADMIN);
    // The registration access token rotates with each update.
    const newRat = updated.body.registration_access_token as string;
    expect(newRat).not.toBe(rat);
    expect((await call(app, 'GET', path, rat)).status).toBe(401);

    expect((await call(app, 'DELETE', path, newRat)).status).toBe(204);
    await expect(app.services.clients.show(clientId)).rejects.toMatchObject({ code: 'client_not_found' });
    expect((await call(app, 'GET', path, newRat)).status).toBe(401);
  });

  test('a client registered by an administrator cannot be managed through registration', async () => {
    const admin = await app.services.clients.create({ name: 'Admin client', redirectUris: [REDIRECT] });
    const answer = await call(app, 'GET', `/reg/${admin.client_id}`, 'whatever');
    expect(answer.status).toBe(401);
  });
});
