import { createHmac, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import supertest from 'supertest';
import { LoginFlow } from '../helpers/login-flow.js';
import { clientAuthentication, registerRelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const PASSWORD = 'Sichere-Passw0rt!';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

async function serviceClient(tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post') {
  const created = await app.services.clients.create({ name: `svc-${tokenEndpointAuthMethod}-${Math.random().toString(36).slice(2)}`, grantTypes: ['client_credentials'], tokenEndpointAuthMethod });
  return { id: created.client_id, secret: created.client_secret! };
}

/** openid-client configured for `id`, authenticating with `method` whatever the registration says. */
const relyingPartyUsing = (id: string, secret: string, method: string) =>
  oidc.discovery(new URL(app.url), id, secret, clientAuthentication(secret, method), { execute: [oidc.allowInsecureRequests] });

describe('the registered client authentication method is enforced', () => {
  test.each([
    ['client_secret_basic', 'client_secret_post'],
    ['client_secret_post', 'client_secret_basic'],
  ] as const)('a client registered for %s gets tokens with it and invalid_client with %s', async (registered, other) => {
    const client = await serviceClient(registered);
    const right = await relyingPartyUsing(client.id, client.secret, registered);
    expect((await oidc.clientCredentialsGrant(right, { scope: 'openid' })).access_token).toEqual(expect.any(String));
    const wrong = await relyingPartyUsing(client.id, client.secret, other);
    const refused = await oidc.clientCredentialsGrant(wrong, { scope: 'openid' }).then(() => undefined, (e: unknown) => e as { status?: number; error?: string; cause?: Array<{ parameters?: { error?: string } }> });
    // A refused Basic header comes back as a WWW-Authenticate challenge, a body secret as a JSON error.
    expect({ status: refused?.status, error: refused?.error ?? refused?.cause?.[0]?.parameters?.error }).toEqual({ status: 401, error: 'invalid_client' });
  });

  test('introspection and revocation refuse the other method and leave the token alone', async () => {
    const viaBasic = await serviceClient('client_secret_basic');
    const viaPost = await serviceClient('client_secret_post');
    const http = supertest(app.url);
    const tokenFor = async (c: { id: string; secret: string }, header: boolean) => {
      const req = http.post('/token').type('form');
      const res = header
        ? await req.set('Authorization', basic(c.id, c.secret)).send({ grant_type: 'client_credentials' })
        : await req.send({ grant_type: 'client_credentials', client_id: c.id, client_secret: c.secret });
      expect(res.status).toBe(200);
      return res.body.access_token as string;
    };
    const basicToken = await tokenFor(viaBasic, true);
    const postToken = await tokenFor(viaPost, false);

    for (const endpoint of ['/token/introspection', '/token/revocation']) {
      const inBody = await http.post(endpoint).type('form').send({ token: basicToken, client_id: viaBasic.id, client_secret: viaBasic.secret });
      expect({ endpoint, status: inBody.status, error: inBody.body.error }).toEqual({ endpoint, status: 401, error: 'invalid_client' });
      const inHeader = await http.post(endpoint).type('form').set('Authorization', basic(viaPost.id, viaPost.secret)).send({ token: postToken });
      expect({ endpoint, status: inHeader.status, error: inHeader.body.error }).toEqual({ endpoint, status: 401, error: 'invalid_client' });
    }
    // Nothing was revoked by the refused requests; the registered methods still work.
    const stillActive = await http.post('/token/introspection').type('form').set('Authorization', basic(viaBasic.id, viaBasic.secret)).send({ token: basicToken });
    expect(stillActive.body.active).toBe(true);
    const postActive = await http.post('/token/introspection').type('form').send({ token: postToken, client_id: viaPost.id, client_secret: viaPost.secret });
    expect(postActive.body.active).toBe(true);
  });

  test('a client_secret_post relying party signs in and redeems its code with the body', async () => {
    const rp = await registerRelyingParty(app, { tokenEndpointAuthMethod: 'client_secret_post' });
    const account = await app.services.accounts.create({ email: 'post-client@example.com', password: PASSWORD });
    const flow = new LoginFlow(app, rp);
    await flow.startAuthorization();
    await flow.submitPassword(account.email, PASSWORD);
    expect((await flow.finishAtCallback()).claims()!.sub).toBe(account.id);
  });
});

describe('only the protocol features pforte uses are on', () => {
  test('discovery advertises exactly them', async () => {
    const discovery = (await supertest(app.url).get('/.well-known/openid-configuration')).body as Record<string, unknown>;
    expect({
      token_endpoint_auth_methods_supported: discovery.token_endpoint_auth_methods_supported,
      response_modes_supported: discovery.response_modes_supported,
      response_types_supported: discovery.response_types_supported,
      grant_types_supported: discovery.grant_types_supported,
      code_challenge_methods_supported: discovery.code_challenge_methods_supported,
      id_token_signing_alg_values_supported: discovery.id_token_signing_alg_values_supported,
      subject_types_supported: discovery.subject_types_supported,
    }).toEqual({
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      response_modes_supported: ['form_post', 'query'],
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['ES256', 'RS256'],
      subject_types_supported: ['public'],
    });
    for (const absent of [
      'pushed_authorization_request_endpoint', 'require_pushed_authorization_requests', 'dpop_signing_alg_values_supported',
      'token_endpoint_auth_signing_alg_values_supported', 'request_parameter_supported',
      'device_authorization_endpoint', 'authorization_signing_alg_values_supported',
    ]) {
      expect(discovery).not.toHaveProperty([absent]);
    }
    expect(JSON.stringify(discovery)).not.toMatch(/HS256|fragment|private_key_jwt|client_secret_jwt/);
  });

  test('pushed authorization requests are not served', async () => {
    const client = await serviceClient('client_secret_basic');
    const res = await supertest(app.url).post('/request').type('form').set('Authorization', basic(client.id, client.secret))
      .send({ response_type: 'code', scope: 'openid', redirect_uri: 'https://rp.example.test/callback' });
    expect(res.status).toBe(404);
  });

  test('a DPoP proof is ignored: the access token is a plain bearer token', async () => {
    const client = await serviceClient('client_secret_basic');
    const res = await supertest(app.url).post('/token').type('form').set('Authorization', basic(client.id, client.secret))
      .set('DPoP', 'eyJhbGciOiJFUzI1NiJ9.not-a-proof.x').send({ grant_type: 'client_credentials' });
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe('Bearer');
  });

  test('JWT client authentication is refused, even for a client stored with it', async () => {
    // pforte cannot register such a client; one written into the table (as a future import
    // or registration path might) must not authenticate with a valid HS256 assertion.
    const client = await serviceClient('client_secret_basic');
    const row = await app.runtime.db('clients').where({ client_id: client.id }).first();
    await app.runtime.db('clients').where({ client_id: client.id }).update({ metadata: JSON.stringify({ ...row.metadata, token_endpoint_auth_method: 'client_secret_jwt' }) });
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ iss: client.id, sub: client.id, aud: `${app.url}/token`, exp: Math.floor(Date.now() / 1000) + 60, jti: randomUUID() })}`;
    const assertion = `${signingInput}.${createHmac('sha256', client.secret).update(signingInput).digest('base64url')}`;
    const res = await supertest(app.url).post('/token').type('form').send({
      grant_type: 'client_credentials',
      client_id: client.id,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    });
    expect(res.body.access_token).toBeUndefined();
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  test('response_mode=fragment is refused and no sign-in starts; query and form_post still start one', async () => {
    const rp = await registerRelyingParty(app);
    const flow = new LoginFlow(app, rp);
    const res = await flow.browser.get((await flow.authorizationUrl({ response_mode: 'fragment' })).href);
    const location = res.headers.location ?? '';
    expect(location).not.toContain('/interaction/');
    expect(location).toMatch(/error=/);
    expect(location).not.toMatch(/[?#&]code=/);
    for (const mode of ['query', 'form_post']) {
      const started = await new LoginFlow(app, rp).browser.get((await flow.authorizationUrl({ response_mode: mode })).href);
      expect({ mode, location: started.headers.location }).toEqual({ mode, location: expect.stringContaining('/interaction/') });
    }
  });

  test('a public client (token_endpoint_auth_method none) still signs in with PKCE', async () => {
    const rp = await registerRelyingParty(app, { isPublic: true });
    const account = await app.services.accounts.create({ email: 'public-client@example.com', password: PASSWORD });
    const flow = new LoginFlow(app, rp);
    await flow.startAuthorization();
    await flow.submitPassword(account.email, PASSWORD);
    expect((await flow.finishAtCallback()).claims()!.sub).toBe(account.id);
  });
});

describe('client URI rules hold in the provider too', () => {
  test.each([
    ['an http redirect URI on a public host', 'http://rp.example.test/callback'],
    ['a wildcard redirect URI', 'https://*.example.test/callback'],
  ])('a stored client with %s is refused at /auth', async (_name, redirectUri) => {
    // Written past the client service, as an older row or another registration path might.
    const client = await app.services.clients.create({ name: `stored-${Math.random()}`, redirectUris: ['https://rp.example.test/callback'] });
    await app.runtime.db('clients').where({ client_id: client.client_id }).update({ metadata: JSON.stringify({ ...client.metadata, redirect_uris: [redirectUri] }) });
    const auth = new URLSearchParams({ client_id: client.client_id, response_type: 'code', scope: 'openid', redirect_uri: redirectUri, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
    const res = await supertest(app.url).get(`/auth?${auth}`).redirects(0);
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });
});

/** GET with a request target and headers exactly as given (absolute-form targets included). */
function rawGet(port: number, target: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: target, headers, setHost: false }, (res) => {
      let text = '';
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Every string in `value` (deeply) that looks like an absolute URL. */
const urlsIn = (value: unknown): string[] =>
  typeof value === 'string' ? (/^[a-z]+:\/\//i.test(value) ? [value] : [])
    : value && typeof value === 'object' ? Object.values(value).flatMap(urlsIn) : [];

describe.each([
  ['TRUST_PROXY=false', {}],
  ['TRUST_PROXY=true behind an https issuer', { ISSUER: 'https://login.example.test', TRUST_PROXY: 'true' }],
])('absolute URLs come from ISSUER, whatever Host says (%s)', (_name, env) => {
  let server: TestApp;
  const forged = { host: 'evil.example:8443', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' };
  beforeAll(async () => {
    server = await startTestApp(env);
  });
  afterAll(() => server?.close());

  test('discovery, also for an absolute-form request target', async () => {
    for (const target of ['/.well-known/openid-configuration', 'http://evil.example/.well-known/openid-configuration']) {
      const res = await rawGet(server.port, target, forged);
      expect(res.status).toBe(200);
      const urls = urlsIn(JSON.parse(res.text));
      expect(urls.length).toBeGreaterThan(5);
      for (const url of urls) expect(url.startsWith(`${server.url}/`) || url === server.url).toBe(true);
      expect(res.text).not.toContain('evil');
    }
  });

  test('the redirect to the login page and the logout form', async () => {
    const client = await server.services.clients.create({ name: `host-rp-${Math.random()}`, redirectUris: ['https://rp.example.test/callback'] });
    const auth = new URLSearchParams({ client_id: client.client_id, response_type: 'code', scope: 'openid', redirect_uri: 'https://rp.example.test/callback', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
    const started = await rawGet(server.port, `/auth?${auth}`, forged);
    expect(started.status).toBe(303);
    const location = String(started.headers.location);
    expect(location).not.toContain('evil');
    expect(new URL(location, server.url).origin).toBe(new URL(server.url).origin);

    const logout = await rawGet(server.port, '/session/end', forged);
    expect(logout.status).toBe(200);
    const action = /action="([^"]+)"/.exec(logout.text)![1]!;
    expect(action.startsWith(`${server.url}/`)).toBe(true);
    expect(logout.text).not.toContain('evil');
  });
});
