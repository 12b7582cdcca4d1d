import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { adminCall, adminToken, clientCredentialsToken, type CallOptions } from '../helpers/admin-api.js';
import { solidPng } from '../helpers/brand-files.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const REDIRECT = 'https://rp.example.test/callback';

let app: TestApp;
let admin: { clientId: string; clientSecret: string; token: string };
const as = (method: string, path: string, options: CallOptions = {}) => adminCall(app, method, path, { token: admin.token, ...options });
const countOf = async (table: string) => Number((await app.runtime.db(table).count({ n: '*' }))[0]!.n);
const auditOf = (type: string) => app.runtime.db('audit_events').where({ type }).orderBy('id', 'desc');

beforeAll(async () => {
  app = await startTestApp();
  admin = await adminToken(app);
});
afterAll(() => app?.close());

describe('admin API: who may call it', () => {
  test('no token: 401 with WWW-Authenticate, as JSON, and nothing audited', async () => {
    const before = await countOf('audit_events');
    const answer = await adminCall(app, 'GET', '/clients');
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'invalid_token', message: expect.any(String) });
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="pforte-admin"/);
    expect(await countOf('audit_events')).toBe(before);
  });

  test('a token that is not one, or not of the client_credentials grant: 401 invalid_token', async () => {
    for (const token of ['not-a-token', 'x'.repeat(2000), 'a b']) {
      const answer = await adminCall(app, 'GET', '/clients', { token });
      expect(answer.status).toBe(401);
      expect(answer.body.error).toBe('invalid_token');
      expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
    const basic = await adminCall(app, 'GET', '/clients', { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    expect(basic.status).toBe(401);
  });

  test('a normal client cannot obtain pforte:admin; its token without the scope gets 403', async () => {
    const normal = await app.services.clients.create({ name: 'Batch job', grantTypes: ['client_credentials'] });
    const refused = await clientCredentialsToken(app, normal.client_id, normal.client_secret!);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_scope');
    const plain = await clientCredentialsToken(app, normal.client_id, normal.client_secret!, '');
    expect(plain.status).toBe(200);
    const answer = await adminCall(app, 'GET', '/clients', { token: plain.body.access_token as string });
    expect(answer.status).toBe(403);
    expect(answer.body.error).toBe('insufficient_scope');
    expect(answer.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  test('an admin client\'s token without the scope: 403', async () => {
    const plain = await clientCredentialsToken(app, admin.clientId, admin.clientSecret, '');
    expect(plain.status).toBe(200);
    expect((await adminCall(app, 'GET', '/clients', { token: plain.body.access_token as string })).status).toBe(403);
  });

  test('a token of a client that is no longer an admin client: 403; of a deleted one: 401', async () => {
    const demoted = await adminToken(app, 'Soon demoted');
    expect((await adminCall(app, 'GET', '/clients', { token: demoted.token })).status).toBe(200);
    await app.services.clients.update(demoted.clientId, { admin: false });
    const afterDemotion = await adminCall(app, 'GET', '/clients', { token: demoted.token });
    expect(afterDemotion.status).toBe(403);
    expect(afterDemotion.body.error).toBe('forbidden');
    await app.services.clients.delete(demoted.clientId);
    expect((await adminCall(app, 'GET', '/clients', { token: demoted.token })).status).toBe(401);
  });

  test('an admin client needs client_credentials; a public client cannot be one', async () => {
    await expect(app.services.clients.create({ name: 'Code only admin', redirectUris: [REDIRECT], admin: true })).rejects.toMatchObject({ problems: { admin: expect.any(String) } });
    await expect(app.services.clients.create({ name: 'Public admin', redirectUris: [REDIRECT], isPublic: true, grantTypes: ['client_credentials'], admin: true })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  test('an authenticated call is audited with the acting client; so is its refusal', async () => {
    const ok = await as('GET', '/clients');
    expect(ok.status).toBe(200);
    const [event] = await auditOf('admin_api.request');
    expect(event).toMatchObject({ actor: `client:${admin.clientId}`, actor_kind: 'admin', actor_id: `client:${admin.clientId}`, client_id: admin.clientId });
    expect(event.detail).toMatchObject({ method: 'GET', route: '/admin/api/v1/clients', status: 200 });
    expect((await as('GET', '/clients/nope')).status).toBe(404);
    const [failed] = await auditOf('admin_api.failed');
    expect(failed).toMatchObject({ actor: `client:${admin.clientId}` });
    expect(failed.detail).toMatchObject({ status: 404, error: 'client_not_found' });
  });
});

describe('admin API: hostile requests', () => {
  test('no answer may be stored by a browser or proxy: those with secrets, lists, refusals; no CORS', async () => {
    const client = await as('POST', '/clients', { body: { name: 'No store', grant_types: ['client_credentials'] } });
    const user = await as('POST', '/users', { body: { email: 'no.store@example.com', activation: true } });
    const lettered = await as('POST', '/users', { body: { email: 'no.store.letter@example.com', initial_password: true } });
    expect([client.body.client_secret, user.body.activation_link, lettered.body.initial_password]).toEqual([expect.any(String), expect.any(String), expect.any(String)]);
    const answers = [
      client,
      user,
      lettered,
      await as('POST', `/clients/${client.body.client_id as string}/rotate-secret`),
      await as('POST', `/users/${user.body.id as string}/resend-activation`),
      await as('GET', '/users', { headers: { origin: 'https://evil.example' } }),
      await as('GET', '/users/nobody@example.com'),
      await adminCall(app, 'GET', '/clients'),
    ];
    for (const answer of answers) {
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });

  test('unknown routes and methods answer JSON 404 and 405', async () => {
    const unknown = await as('GET', '/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('not_found');
    const wrongMethod = await as('PUT', '/clients');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.error).toBe('method_not_allowed');
    // A 405 names the methods there are (RFC 9110); OPTIONS is one more method not allowed.
    expect(wrongMethod.headers.get('allow')).toBe('HEAD, GET, POST');
    const options = await as('OPTIONS', '/users/someone@example.com');
    expect(options).toMatchObject({ status: 405, body: { error: 'method_not_allowed' } });
    expect(options.headers.get('allow')).toBe('HEAD, GET, PATCH');
    expect(unknown.headers.get('allow')).toBeNull();
  });

  test('a 2 MiB body: 413, nothing created', async () => {
    const before = await countOf('clients');
    const huge = JSON.stringify({ name: 'Huge', grant_types: ['client_credentials'], terms_url: `https://x.example/${'a'.repeat(2 * 1024 * 1024)}` });
    const answer = await as('POST', '/clients', { raw: huge });
    expect(answer.status).toBe(413);
    expect(answer.body.error).toBe('payload_too_large');
    expect(await countOf('clients')).toBe(before);
  });

  test('a 2 MiB body without a Content-Length (chunked) is cut off at 1 MiB: 413, nothing created', async () => {
    const before = await countOf('clients');
    const chunk = new TextEncoder().encode(`{"name":"Chunked","terms_url":"https://x.example/${'a'.repeat(64 * 1024)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 2 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(new URL('/admin/api/v1/clients', app.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toBe('payload_too_large');
    expect(await countOf('clients')).toBe(before);
  });

  test('wrong content type: 415; malformed JSON and duplicate keys: 400; nothing created', async () => {
    const before = await countOf('clients');
    const form = await as('POST', '/clients', { raw: 'name=Form', contentType: 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(form.body.error).toBe('unsupported_media_type');
    const text = await as('POST', '/clients', { raw: '{"name":"Text"}', contentType: 'text/plain' });
    expect(text.status).toBe(415);
    for (const raw of ['{"name":', '{"name":"A"}x', '\u00ff', '']) {
      const answer = await as('POST', '/clients', { raw: raw || Buffer.from([0xc3, 0x28]) });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('bad_request');
    }
    for (const raw of ['{"name":"A","name":"B","grant_types":["client_credentials"]}', '{"name":"A","grant_types":["client_credentials"],"brand_name":"x","brand_\\u006eame":"y"}']) {
      const answer = await as('POST', '/clients', { raw });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: 'bad_request', message: expect.stringContaining('twice') });
    }
    expect(await countOf('clients')).toBe(before);
  });

  test('NUL characters anywhere and deeply nested bodies: 400, never a 5xx, nothing created', async () => {
    const clients = await countOf('clients');
    const accounts = await countOf('accounts');
    const organisations = await countOf('organisations');
    expect(await as('POST', '/clients', { body: { name: 'Nul\u0000Client', grant_types: ['client_credentials'] } })).toMatchObject({ status: 400, body: { problems: { name: 'contains_nul' } } });
    // Problems are stable snake_case codes, never zod's English sentences.
    expect(await as('POST', '/clients', { body: { name: 42, first_party: 'yes' } })).toMatchObject({ status: 400, body: { problems: { name: 'invalid_type', first_party: 'invalid_type' } } });
    expect(await as('GET', '/clients?limit=0')).toMatchObject({ status: 400, body: { problems: { limit: expect.stringMatching(/^[a-z_]+$/) } } });
    expect(await as('POST', '/clients', { body: { name: 'Nul URI', redirect_uris: ['https://rp.example.test/\u0000'] } })).toMatchObject({ status: 400, body: { problems: { 'redirect_uris.0': expect.any(String) } } });
    expect(await as('POST', '/users', { body: { email: 'nul@example.com', name: 'A\u0000B' } })).toMatchObject({ status: 400, body: { problems: { name: expect.any(String) } } });
    expect((await as('POST', '/organisations', { body: { name: 'Org\u0000' } })).status).toBe(400);
    expect((await as('POST', '/roles', { body: { name: 'nul-role', description: '\u0000' } })).status).toBe(400);
    expect((await as('POST', '/users', { raw: '{"email":"k@example.com","\\u0000":1}' })).status).toBe(400);
    expect((await as('GET', '/users?search=%00')).status).toBe(400);
    expect((await as('GET', '/audit?account=a%00b')).status).toBe(400);
    expect(await as('POST', '/clients', { raw: `${'['.repeat(300_000)}${']'.repeat(300_000)}` })).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    expect(await countOf('clients')).toBe(clients);
    expect(await countOf('accounts')).toBe(accounts);
    expect(await countOf('organisations')).toBe(organisations);
  });

  test('unknown fields: 400 with problems keyed by the field; wrong types too', async () => {
    const answer = await as('POST', '/clients', { body: { name: 'Extra', grant_types: ['client_credentials'], is_admin: true, redirectUris: [] } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_input', problems: { is_admin: 'unknown_field', redirectUris: 'unknown_field' } });
    const typed = await as('POST', '/clients', { body: { name: 7, public: 'yes' } });
    expect(typed.status).toBe(400);
    expect(Object.keys(typed.body.problems as object).sort()).toEqual(['name', 'public']);
    const array = await as('POST', '/clients', { body: [] });
    expect(array.status).toBe(400);
    expect(await as('POST', '/keys/rotate?dry_run=1')).toMatchObject({ status: 400, body: { problems: { dry_run: 'unknown_field' } } });
    const unknownQuery = await as('GET', '/clients?sort=name');
    expect(unknownQuery).toMatchObject({ status: 400, body: { problems: { sort: 'unknown_field' } } });
    const badLimit = await as('GET', '/clients?limit=100000');
    expect(badLimit).toMatchObject({ status: 400, body: { problems: { limit: expect.any(String) } } });
    // A limit is digits: not an exponent, hex, blanks, a fraction or twice.
    for (const limit of ['1e2', '0x10', '%205', '2.0', '5&limit=6', '', '0', '201']) {
      expect(await as('GET', `/clients?limit=${limit}`)).toMatchObject({ status: 400, body: { problems: { limit: expect.not.stringContaining('NaN') } } });
    }
    expect((await as('GET', '/clients?limit=200')).status).toBe(200);
    expect((await as('GET', '/clients?limit=1')).status).toBe(200);
    const badCursor = await as('GET', '/clients?cursor=not-a-cursor');
    expect(badCursor).toMatchObject({ status: 400, body: { problems: { cursor: 'invalid_cursor' } } });
  });

  test('keys named like Object.prototype members are unknown fields like any other, named in problems and message', async () => {
    const before = await countOf('clients');
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      // Raw JSON: JSON.stringify would not write an own __proto__ key.
      const answer = await as('POST', '/clients', { raw: `{"name":"Proto ${key}","grant_types":["client_credentials"],"${key}":{"admin":true}}` });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('invalid_input');
      expect(Object.entries(answer.body.problems as object)).toEqual([[key, 'unknown_field']]);
      expect(answer.body.message).toBe(`${key}: unknown_field`);
      const nested = await as('POST', '/customers/import', { raw: `{"rows":[{"policy_number":"1","birth_date":"1970-01-01","name":"N","${key}":"\\u0000"}]}` });
      expect(nested.status).toBe(400);
      expect(Object.keys(nested.body.problems as object)).toEqual([`rows.0.${key}`]);
    }
    expect(await countOf('clients')).toBe(before);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  test.each([
    ['javascript:', 'javascript:alert(1)'],
    ['a fragment', 'https://rp.example.test/cb#frag'],
    ['a wildcard', 'https://*.example.test/cb'],
    ['http on a public host', 'http://rp.example.test/cb'],
  ])('a redirect URI with %s: 400 at redirect_uris, nothing created', async (_what, uri) => {
    const before = await countOf('clients');
    const answer = await as('POST', '/clients', { body: { name: `Bad URI ${uri}`, redirect_uris: [uri] } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_input', problems: { redirect_uris: expect.any(String) } });
    expect(await countOf('clients')).toBe(before);
  });

  test('unknown and malformed ids: 404 with the resource\'s code', async () => {
    for (const id of ['00000000-0000-0000-0000-000000000000', 'no-such-client', '%00', encodeURIComponent('a\u0001b'), 'x'.repeat(400)]) {
      const client = await as('GET', `/clients/${id}`);
      expect(client.status).toBe(404);
      expect(client.body.error).toBe('client_not_found');
      const user = await as('POST', `/users/${id}/block`);
      expect(user.status).toBe(404);
      expect(user.body.error).toBe('user_not_found');
    }
    expect((await as('DELETE', '/clients/no-such-client')).status).toBe(404);
    expect((await as('PATCH', '/users/nobody@example.com', { body: { name: 'X' } })).status).toBe(404);
  });
});

describe('admin API: clients', () => {
  test('create (secret once), get, list, patch, rotate the secret, delete; each act audited with the acting client', async () => {
    const created = await as('POST', '/clients', {
      body: { name: 'Portal', redirect_uris: [REDIRECT], default_acr_values: ['urn:pforte:loa:1'], first_party: true, brand_color: '#123abc' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      client_id: expect.any(String),
      client_secret: expect.any(String),
      name: 'Portal',
      type: 'confidential',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      first_party: true,
      admin: false,
      brand: { color: '#123abc' },
    });
    const id = created.body.client_id as string;
    const [createdEvent] = await auditOf('client.created');
    expect(createdEvent).toMatchObject({ client_id: id, actor: `client:${admin.clientId}`, actor_kind: 'admin' });

    const shown = await as('GET', `/clients/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).not.toHaveProperty('client_secret');
    expect(shown.text).not.toContain(created.body.client_secret as string);
    expect((await as('GET', '/clients/Portal')).body.client_id).toBe(id);

    const patched = await as('PATCH', `/clients/${id}`, { body: { post_logout_redirect_uris: ['https://rp.example.test/bye'], brand_color: null } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ post_logout_redirect_uris: ['https://rp.example.test/bye'], redirect_uris: [REDIRECT], brand: {} });
    const switchKind = await as('PATCH', `/clients/${id}`, { body: { public: true } });
    expect(switchKind).toMatchObject({ status: 400, body: { problems: { public: expect.any(String) } } });

    const rotated = await as('POST', `/clients/${id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({ client_id: id, client_secret: expect.any(String) });
    expect(rotated.body.client_secret).not.toBe(created.body.client_secret);
    expect((await auditOf('client.secret_rotated'))[0]).toMatchObject({ client_id: id, actor: `client:${admin.clientId}` });

    const deleted = await as('DELETE', `/clients/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await as('GET', `/clients/${id}`)).status).toBe(404);
    expect((await auditOf('client.deleted'))[0]).toMatchObject({ client_id: id, actor: `client:${admin.clientId}` });
  });

  test('a name taken by another client is refused; the list pages with a cursor in a stable order', async () => {
    for (const name of ['Page A', 'Page B', 'Page C']) expect((await as('POST', '/clients', { body: { name, grant_types: ['client_credentials'] } })).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await as('GET', `/clients?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      const items = page.body.items as Array<{ name: string; client_secret?: string }>;
      expect(items.length).toBeLessThanOrEqual(2);
      expect(items.every((c) => c.client_secret === undefined)).toBe(true);
      seen.push(...items.map((c) => c.name));
      cursor = page.body.next_cursor as string | null;
    } while (cursor);
    const all = await app.services.clients.list();
    expect(seen).toEqual(all.map((c) => c.name).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
  });

  test('a client created through the API gets tokens (client_credentials); an API-made admin client can call the API', async () => {
    const made = await as('POST', '/clients', { body: { name: 'Machine', grant_types: ['client_credentials'], admin: true } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ admin: true });
    expect(made.body.scopes).not.toContain('pforte:admin');
    const token = await clientCredentialsToken(app, made.body.client_id as string, made.body.client_secret as string);
    expect(token.status).toBe(200);
    expect((await adminCall(app, 'GET', '/clients?limit=1', { token: token.body.access_token as string })).status).toBe(200);
    // What a read shows can be written back as it is.
    const { client_id: _id, type: _type, created_at: _at, brand: _brand, client_secret: _secret, token_endpoint_auth_method: _method, ...writable } = made.body;
    expect((await as('PATCH', `/clients/${made.body.client_id as string}`, { body: writable })).status).toBe(200);
    const withLogout = await as('PATCH', `/clients/${made.body.client_id as string}`, { body: { backchannel_logout_uri: 'https://rp.example.test/logout' } });
    expect(withLogout.body.backchannel_logout_uri).toBe('https://rp.example.test/logout');
    expect((await as('PATCH', `/clients/${made.body.client_id as string}`, { body: { backchannel_logout_uri: null } })).body.backchannel_logout_uri).toBeNull();
    const demoted = await as('PATCH', `/clients/${made.body.client_id as string}`, { body: { admin: false } });
    expect(demoted.body).toMatchObject({ admin: false });
    expect((await clientCredentialsToken(app, made.body.client_id as string, made.body.client_secret as string)).status).toBe(400);
  });
});

describe('admin API: client brands', () => {
  test('a logo sent as base64 is served; a script in an SVG, a bad colour or a non-https terms URL is refused and creates nothing', async () => {
    const made = await as('POST', '/clients', { body: { name: 'Branded', grant_types: ['client_credentials'], brand_name: 'Branded Portal', brand_logo: solidPng(4, 4, [0, 90, 160]).toString('base64') } });
    expect(made).toMatchObject({ status: 201, body: { brand: { name: 'Branded Portal', logo_url: expect.stringMatching(/^\/branding\/logo\/[0-9a-f]{64}\.png$/) } } });
    const logo = await fetch(new URL((made.body.brand as { logo_url: string }).logo_url, app.url));
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toBe('image/png');

    const before = await countOf('clients');
    const script = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>').toString('base64');
    expect(await as('POST', '/clients', { body: { name: 'Scripted', grant_types: ['client_credentials'], brand_logo: script } })).toMatchObject({ status: 400, body: { problems: { brand_logo: expect.any(String) } } });
    expect(await as('POST', '/clients', { body: { name: 'Colourful', grant_types: ['client_credentials'], brand_color: 'red', terms_url: 'http://terms.example/' } })).toMatchObject({ status: 400, body: { problems: { brand_color: expect.any(String), terms_url: expect.any(String) } } });
    expect(await as('POST', '/clients', { body: { name: 'Not base64', grant_types: ['client_credentials'], brand_logo: '***' } })).toMatchObject({ status: 400, body: { problems: { brand_logo: expect.any(String) } } });
    expect(await countOf('clients')).toBe(before);
    const removed = await as('PATCH', `/clients/${made.body.client_id as string}`, { body: { brand_logo: null } });
    expect(removed.body.brand).toEqual({ name: 'Branded Portal' });
  });
});

describe('admin API: initial access tokens', () => {
  test('an initial access token made through the API registers one client (RFC 7591); a bad ttl is refused', async () => {
    const made = await as('POST', '/initial-access-tokens', { body: { ttl_hours: 2 } });
    expect(made).toMatchObject({ status: 201, body: { token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expires_at: expect.any(String) } });
    expect((await auditOf('client.initial_token_created'))[0]).toMatchObject({ actor: `client:${admin.clientId}` });
    const registered = await fetch(new URL('/reg', app.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${made.body.token as string}`, 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [REDIRECT], client_name: 'Self-registered via API token' }),
    });
    expect(registered.status).toBe(201);
    expect(await as('POST', '/initial-access-tokens', { body: { ttl_hours: 0 } })).toMatchObject({ status: 400, body: { problems: { ttl_hours: 'too_small' } } });
    expect((await as('POST', '/initial-access-tokens')).status).toBe(201);
    // A script sending `Content-Type: application/json` on every call, with no body: no body, not a 415.
    const json = { headers: { 'content-type': 'application/json' } };
    expect((await as('POST', '/initial-access-tokens', json)).status).toBe(201);
    expect((await as('POST', `/users/${encodeURIComponent('nobody@example.com')}/block`, json)).body.error).toBe('user_not_found');
    expect(await as('POST', '/clients', json)).toMatchObject({ status: 400, body: { error: 'invalid_input' } });
  });
});

describe('admin API: dynamically registered clients are never admin clients', () => {
  const register = async (metadata: Record<string, unknown>) => {
    const { token } = await app.services.initialAccessTokens.create();
    const response = await fetch(new URL('/reg', app.url), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(metadata) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  test('asking for scope pforte:admin is refused; an admin marker sent along is dropped', async () => {
    expect((await register({ client_name: 'Wants admin scope', grant_types: ['client_credentials'], scope: 'openid pforte:admin' })).status).toBe(400);
    const sneaky = await register({ client_name: 'Sends the marker', grant_types: ['client_credentials'], admin_client: true, admin: true });
    expect(sneaky.status).toBe(201);
    const row = await app.runtime.db('clients').where({ client_id: sneaky.body.client_id as string }).first();
    expect(row.metadata).not.toHaveProperty('admin_client');
    expect(row.metadata.scope).not.toContain('pforte:admin');
    expect((await clientCredentialsToken(app, sneaky.body.client_id as string, sneaky.body.client_secret as string)).body.error).toBe('invalid_scope');
    expect(await as('PATCH', `/clients/${sneaky.body.client_id as string}`, { body: { admin: true } })).toMatchObject({ status: 400, body: { problems: { admin: expect.any(String) } } });
  });
});

describe('admin API: users', () => {
  test('create with an activation link (once), get by id and email, list, patch; block, unblock, unlock, resend activation', async () => {
    const created = await as('POST', '/users', { body: { email: 'api.user@example.com', name: 'Api User', position: 'Broker', phone: '+49 30 123456', activation: true, locale: 'en' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), email: 'api.user@example.com', status: 'pending', activation_link: expect.stringContaining('/activate/') });
    expect(created.text).not.toMatch(/password_hash|\$2[aby]\$/);
    const id = created.body.id as string;
    expect((await auditOf('account.created'))[0]).toMatchObject({ account_id: id, actor: `client:${admin.clientId}`, actor_kind: 'admin' });

    expect((await as('GET', `/users/${id}`)).body).toMatchObject({ id, name: 'Api User', roles: [], organisation: null });
    expect((await as('GET', '/users/API.USER@example.com')).body).not.toHaveProperty('activation_link');
    const list = await as('GET', '/users?search=api.user');
    expect(list.body).toMatchObject({ items: [{ id }], next_cursor: null });

    expect((await as('GET', `/users/${id}`)).body).toMatchObject({ position: 'Broker', phone: '+49 30 123456' });
    expect((await as('PATCH', `/users/${id}`, { body: { name: 'Renamed', phone: null } })).body).toMatchObject({ name: 'Renamed', position: 'Broker', phone: null });
    expect(await as('PATCH', `/users/${id}`, { body: { phone: 'call me' } })).toMatchObject({ status: 400, body: { problems: { phone: 'invalid_phone' } } });
    expect(await as('PATCH', `/users/${id}`, { body: { name: 'Renamed\u202eevil' } })).toMatchObject({ status: 400, body: { problems: { name: 'invalid_input' } } });
    expect((await as('GET', `/users/${id}`)).body).toMatchObject({ name: 'Renamed' });
    const resent = await as('POST', `/users/${id}/resend-activation`);
    expect(resent).toMatchObject({ status: 200, body: { id, activation_link: expect.stringContaining('/activate/') } });
    expect((await as('POST', `/users/${id}/block`)).body).toEqual({ id, email: 'api.user@example.com', status: 'blocked' });
    expect((await auditOf('account.blocked'))[0]).toMatchObject({ account_id: id, actor: `client:${admin.clientId}` });
    expect((await as('POST', `/users/${id}/unblock`)).body).toMatchObject({ status: 'pending' });
    expect((await as('POST', `/users/${id}/unlock`)).status).toBe(200);
  });

  test('an initial password is shown once; refusals name the JSON fields; conflicts are 409', async () => {
    const lettered = await as('POST', '/users', { body: { email: 'letter.api@example.com', initial_password: true } });
    expect(lettered).toMatchObject({ status: 201, body: { status: 'active', initial_password: expect.stringMatching(/^.{12,}$/) } });
    expect((await as('GET', `/users/${lettered.body.id as string}`)).text).not.toContain(lettered.body.initial_password as string);

    const before = await countOf('accounts');
    const taken = await as('POST', '/users', { body: { email: 'LETTER.api@example.com' } });
    expect(taken).toMatchObject({ status: 409, body: { error: 'email_taken' } });
    const bad = await as('POST', '/users', { body: { email: 'not-an-email', agent_number: '???', org: 'No such org' } });
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid_input', problems: { email: 'invalid_email', agent_number: 'agent_number_invalid' } } });
    const both = await as('POST', '/users', { body: { email: 'both.api@example.com', activation: true, initial_password: true } });
    expect(both).toMatchObject({ status: 400, body: { problems: { activation: expect.any(String) } } });
    const unknownOrg = await as('POST', '/users', { body: { email: 'org.api@example.com', org: 'No such org' } });
    expect(unknownOrg).toMatchObject({ status: 400, body: { problems: { org: 'unknown_organisation' } } });
    const notPending = await as('POST', `/users/${lettered.body.id as string}/resend-activation`);
    expect(notPending).toMatchObject({ status: 409, body: { error: 'account_not_pending' } });
    expect(await countOf('accounts')).toBe(before);
  });

  test('users page by email with a cursor', async () => {
    for (const n of [1, 2, 3]) await app.services.accounts.create({ email: `paged${n}@example.com` });
    const first = await as('GET', '/users?search=paged&limit=2');
    expect((first.body.items as Array<{ email: string }>).map((u) => u.email)).toEqual(['paged1@example.com', 'paged2@example.com']);
    const second = await as('GET', `/users?search=paged&limit=2&cursor=${first.body.next_cursor as string}`);
    expect(second.body).toMatchObject({ items: [{ email: 'paged3@example.com' }], next_cursor: null });
  });
});
