import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { adminToken } from '../helpers/admin-api.js';
import { checkCase, PROPERTY_TIMEOUT_MS, report, runProperty, startFuzzApp, type FuzzApp, type FuzzRequest } from './harness.js';
import { encodedValue, hostileText, WRONG_CONTENT_TYPES } from './hostile-input.js';

/**
 * Property-based fuzz of the admin API (issue 10): hostile JSON bodies on every route that
 * takes one, hostile ids in every path, hostile query strings on every list. Every answer
 * is a 4xx or a success, never a 5xx, with nothing leaked; refusals change nothing but
 * the audit of the refused call itself.
 */

let fuzz: FuzzApp;
let token: string;

beforeAll(async () => {
  fuzz = await startFuzzApp();
  ({ token } = await adminToken(fuzz.app));
  await fuzz.app.services.roles.create({ name: 'fuzz-role' });
  await fuzz.app.services.organisations.create({ name: 'Fuzz Org', grantableRoles: ['fuzz-role'] });
  await fuzz.app.services.accounts.create({ email: 'fuzz.target@example.com' });
});
afterAll(async () => {
  if (fuzz) report(fuzz, 'admin API');
  await fuzz?.app.close();
});

/** Routes with bodies, and the body fields each knows. */
const BODY_ROUTES: ReadonlyArray<{ method: string; path: string; fields: readonly string[] }> = [
  { method: 'POST', path: '/clients', fields: ['name', 'redirect_uris', 'post_logout_redirect_uris', 'public', 'grant_types', 'acr', 'default_acr_values', 'min_acr', 'scopes', 'backchannel_logout_uri', 'first_party', 'login_method', 'admin', 'brand_logo', 'brand_color', 'terms_url'] },
  { method: 'PATCH', path: '/clients/Fuzz%20client', fields: ['name', 'redirect_uris', 'public', 'grant_types', 'admin', 'pkce', 'backchannel_logout_uri'] },
  { method: 'POST', path: '/users', fields: ['email', 'password', 'name', 'position', 'phone', 'agent_number', 'org', 'roles', 'activation', 'initial_password', 'permanent', 'locale'] },
  { method: 'PATCH', path: '/users/fuzz.target@example.com', fields: ['name', 'position', 'phone', 'org', 'roles'] },
  { method: 'POST', path: '/organisations', fields: ['name', 'parent', 'grantable_roles'] },
  { method: 'PATCH', path: '/organisations/Fuzz%20Org', fields: ['name', 'parent', 'grantable_roles'] },
  { method: 'POST', path: '/roles', fields: ['name', 'description'] },
  { method: 'POST', path: '/customers/import', fields: ['csv', 'rows'] },
  { method: 'POST', path: '/initial-access-tokens', fields: ['ttl_hours'] },
  { method: 'POST', path: '/users/fuzz.target@example.com/resend-activation', fields: ['locale'] },
];

const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.array(hostileText, { maxLength: 3 }),
  fc.constantFrom(null, true, false, 0, -1, 1e308, 2 ** 53 + 2, {}, [], [[]], { $gt: '' }, 'https://rp.example.test/cb', 'client_credentials', 'urn:pforte:loa:1'),
  fc.array(fc.record({ policy_number: hostileText, birth_date: hostileText, name: hostileText }), { maxLength: 2 }),
  fc.jsonValue({ maxDepth: 3 }),
);

const send = (method: string, path: string, body?: { contentType?: string; body: string; shape: string }): Promise<{ request: FuzzRequest; response: Awaited<ReturnType<FuzzApp['send']>> }> => {
  const request = { method: method as FuzzRequest['method'], path: `/admin/api/v1${path}`, headers: { authorization: `Bearer ${token}` }, body };
  return fuzz.send(request).then((response) => ({ request, response }));
};

/** Rows that only a successful act may change: everything but the audit of admin API calls. */
async function stateOf(): Promise<Record<string, number>> {
  const db = fuzz.app.runtime.db;
  const counts: Record<string, number> = {};
  for (const table of ['clients', 'accounts', 'organisations', 'roles', 'policyholders', 'signing_keys', 'account_roles', 'organisation_roles']) {
    counts[table] = Number((await db(table).count({ n: '*' }))[0]!.n);
  }
  counts.audit = Number((await db('audit_events').whereNot('type', 'like', 'admin_api.%').count({ n: '*' }))[0]!.n);
  return counts;
}

describe('admin API fuzz', () => {
  beforeAll(async () => {
    await fuzz.app.services.clients.create({ name: 'Fuzz client', grantTypes: ['client_credentials'] });
  });

  test('hostile JSON bodies on every route that takes one: never a 5xx, nothing leaked', async () => {
    const route = fc.constantFrom(...BODY_ROUTES);
    const body = route.chain((r) =>
      fc.tuple(fc.constant(r), fc.dictionary(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...r.fields) }, { weight: 1, arbitrary: hostileText.map((t) => t.slice(0, 50)) }), jsonValue, { maxKeys: 5 })),
    );
    await runProperty(body, async ([r, document]) => {
      const { request, response } = await send(r.method, r.path, { contentType: 'application/json', body: JSON.stringify(document), shape: 'json' });
      checkCase(fuzz, request, response);
      expect(response.headers.get('content-type') ?? 'application/json').toMatch(/^application\/json/);
    });
  }, PROPERTY_TIMEOUT_MS);

  test('malformed bodies (not JSON, duplicate keys, wrong content types): refused, nothing changed', async () => {
    const before = await stateOf();
    const malformed = fc.tuple(
      fc.constantFrom(...BODY_ROUTES.filter((r) => r.fields.length > 1)),
      fc.oneof(
        hostileText.map((text) => ({ contentType: 'application/json', body: `{${text}`, shape: 'broken JSON' })),
        fc.tuple(hostileText, hostileText).map(([a, b]) => ({ contentType: 'application/json', body: `{"name":${JSON.stringify(a)},"name":${JSON.stringify(b)}}`, shape: 'duplicate key' })),
        fc.tuple(fc.constantFrom(...WRONG_CONTENT_TYPES.filter((t) => t !== 'application/json')), hostileText).map(([contentType, text]) => ({ contentType, body: JSON.stringify({ name: text }), shape: `content type ${contentType}` })),
      ),
    );
    await runProperty(malformed, async ([r, body]) => {
      const { request, response } = await send(r.method, r.path, body);
      checkCase(fuzz, request, response);
      expect([400, 413, 415]).toContain(response.status);
    });
    expect(await stateOf()).toEqual(before);
  }, PROPERTY_TIMEOUT_MS);

  test('hostile ids in every path: refused, nothing changed', async () => {
    const before = await stateOf();
    const paths = fc.tuple(
      fc.constantFrom(
        ['GET', '/clients/{}'], ['DELETE', '/clients/{}'], ['POST', '/clients/{}/rotate-secret'], ['GET', '/users/{}'], ['POST', '/users/{}/block'],
        ['POST', '/users/{}/unblock'], ['POST', '/users/{}/unlock'], ['GET', '/organisations/{}'], ['DELETE', '/keys/{}'],
      ),
      // Ids the URL parser keeps as an id: it drops tabs and newlines and trims controls and
      // spaces, and `.`/`..` segments name the list itself (which would rightly answer 200).
      encodedValue
        .map((v) => v.slice(0, 600))
        .filter((v) => v.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').length > 0 && !/^(fuzz|Fuzz|\.|%2e)/i.test(v.trimStart())),
    );
    await runProperty(paths, async ([[method, template], id]) => {
      const { request, response } = await send(method, template.replace('{}', id));
      checkCase(fuzz, request, response);
      expect(response.status).toBeGreaterThanOrEqual(400);
    });
    expect(await stateOf()).toEqual(before);
  }, PROPERTY_TIMEOUT_MS);

  test('hostile query strings on every list: never a 5xx, nothing leaked', async () => {
    const query = fc.tuple(
      fc.constantFrom('/clients', '/users', '/organisations', '/roles', '/keys', '/audit'),
      fc.array(fc.tuple(fc.constantFrom('limit', 'cursor', 'search', 'account', 'type', 'since', 'x', 'limit[]'), encodedValue.map((v) => v.slice(0, 400))), { maxLength: 3 }),
    );
    await runProperty(query, async ([path, pairs]) => {
      const { request, response } = await send('GET', `${path}?${pairs.map(([n, v]) => `${n}=${v}`).join('&')}`);
      checkCase(fuzz, request, response);
    });
  }, PROPERTY_TIMEOUT_MS);
});
