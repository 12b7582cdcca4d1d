import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { adminCall, adminToken, type CallOptions } from '../helpers/admin-api.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { configureRelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const PASSWORD = 'Sichere-Passw0rt!';
const REDIRECT = 'https://rp.example.test/callback';

let app: TestApp;
let admin: { clientId: string; token: string };
const as = (method: string, path: string, options: CallOptions = {}) => adminCall(app, method, path, { token: admin.token, ...options });
const actor = () => `client:${admin.clientId}`;
const auditOf = (type: string) => app.runtime.db('audit_events').where({ type }).orderBy('id', 'desc');
const countOf = async (table: string) => Number((await app.runtime.db(table).count({ n: '*' }))[0]!.n);

beforeAll(async () => {
  app = await startTestApp();
  admin = await adminToken(app);
});
afterAll(() => app?.close());

describe('admin API: roles and organisations', () => {
  test('roles: create (audited), list by name; a bad or taken name is refused', async () => {
    for (const name of ['fleet-manager', 'user-manager', 'file-manager']) {
      expect((await as('POST', '/roles', { body: { name, description: `The ${name}` } })).status).toBe(201);
    }
    expect((await auditOf('role.created'))[0]).toMatchObject({ actor: actor(), actor_kind: 'admin' });
    const list = await as('GET', '/roles?limit=2');
    expect((list.body.items as Array<{ name: string }>).map((r) => r.name)).toEqual(['file-manager', 'fleet-manager']);
    const rest = await as('GET', `/roles?limit=2&cursor=${list.body.next_cursor as string}`);
    expect(rest.body).toMatchObject({ items: [{ name: 'user-manager', description: 'The user-manager' }], next_cursor: null });
    expect(await as('POST', '/roles', { body: { name: 'Fleet Manager!' } })).toMatchObject({ status: 400, body: { problems: { name: 'invalid_role_name' } } });
    expect(await as('POST', '/roles', { body: { name: 'fleet-manager' } })).toMatchObject({ status: 409, body: { error: 'role_taken' } });
    expect(await as('POST', '/roles', { body: { name: 'x-role', id: 'mine' } })).toMatchObject({ status: 400, body: { problems: { id: 'unknown_field' } } });
  });

  test('organisations: create with parent and grantable roles, get by id and name, list, patch; refusals by JSON field', async () => {
    const holding = await as('POST', '/organisations', { body: { name: 'Holding', grantable_roles: ['fleet-manager', 'user-manager'] } });
    expect(holding).toMatchObject({ status: 201, body: { id: expect.any(String), name: 'Holding', parent_id: null, grantable_roles: ['fleet-manager', 'user-manager'] } });
    const holdingId = holding.body.id as string;
    expect((await auditOf('org.created'))[0]).toMatchObject({ actor: actor() });
    const branch = await as('POST', '/organisations', { body: { name: 'Branch', parent: 'Holding' } });
    expect(branch.body).toMatchObject({ parent_id: holdingId, grantable_roles: [] });
    expect((await as('GET', '/organisations/Branch')).body.id).toBe(branch.body.id);
    expect((await as('GET', '/organisations')).body).toMatchObject({ items: [{ name: 'Branch' }, { name: 'Holding' }], next_cursor: null });

    const patched = await as('PATCH', `/organisations/${branch.body.id as string}`, { body: { parent: null, grantable_roles: ['file-manager'] } });
    expect(patched).toMatchObject({ status: 200, body: { parent_id: null, grantable_roles: ['file-manager'] } });
    expect((await auditOf('org.updated'))[0]).toMatchObject({ actor: actor() });

    expect(await as('POST', '/organisations', { body: { name: 'holding' } })).toMatchObject({ status: 409, body: { error: 'organisation_taken' } });
    expect(await as('POST', '/organisations', { body: { name: 'X', grantable_roles: ['no-such-role'] } })).toMatchObject({ status: 400, body: { problems: { grantable_roles: expect.stringContaining('unknown_role') } } });
    expect(await as('POST', '/organisations', { body: { name: 'Y', parent: 'Nowhere' } })).toMatchObject({ status: 400, body: { problems: { parent: 'unknown_organisation' } } });
    expect(await as('PATCH', `/organisations/${holdingId}`, { body: { parent: 'Branch' } })).toMatchObject({ status: 200 });
    expect(await as('PATCH', `/organisations/${branch.body.id as string}`, { body: { parent: 'Holding' } })).toMatchObject({ status: 400, body: { problems: { parent: 'organisation_cycle' } } });
    expect((await as('GET', '/organisations/00000000-0000-0000-0000-000000000000')).body.error).toBe('organisation_not_found');
    expect((await as('PATCH', '/organisations/nowhere', { body: { name: 'Z' } })).status).toBe(404);
  });

  test('a user in an organisation with roles; a role the organisation may not grant is refused', async () => {
    await as('POST', '/organisations', { body: { name: 'Fleet Co', grantable_roles: ['fleet-manager'] } });
    const user = await as('POST', '/users', { body: { email: 'fleet@example.com', org: 'Fleet Co', roles: ['fleet-manager'] } });
    expect(user).toMatchObject({ status: 201, body: { organisation: { name: 'Fleet Co' }, roles: ['fleet-manager'] } });
    const refused = await as('PATCH', `/users/${user.body.id as string}`, { body: { roles: ['file-manager'] } });
    expect(refused).toMatchObject({ status: 400, body: { problems: { roles: expect.stringContaining('role_not_grantable') } } });
    expect((await as('PATCH', `/users/${user.body.id as string}`, { body: { org: null } })).body).toMatchObject({ organisation: null, roles: ['fleet-manager'] });
  });

  test('an empty PATCH is refused as nothing to change, like the CLI, and audits no change', async () => {
    const org = await as('POST', '/organisations', { body: { name: 'Quiet Co' } });
    const user = await as('POST', '/users', { body: { email: 'quiet@example.com' } });
    const client = await as('POST', '/clients', { body: { name: 'Quiet', grant_types: ['client_credentials'] } });
    const updatesBefore = (await auditOf('account.updated')).length + (await auditOf('org.updated')).length + (await auditOf('client.updated')).length;
    for (const path of [`/organisations/${org.body.id as string}`, `/users/${user.body.id as string}`, `/clients/${client.body.client_id as string}`]) {
      expect(await as('PATCH', path, { body: {} })).toMatchObject({ status: 400, body: { error: 'invalid_input', problems: { body: 'nothing_to_change' } } });
      // A field that cannot be changed is named, and only it: not also "nothing to change".
      expect(await as('PATCH', path, { body: { status: 'active' } })).toMatchObject({ status: 400, body: { problems: { status: 'unknown_field' }, message: 'status: unknown_field' } });
    }
    expect((await auditOf('account.updated')).length + (await auditOf('org.updated')).length + (await auditOf('client.updated')).length).toBe(updatesBefore);
  });
});

describe('admin API: customers import', () => {
  test('CSV text and JSON rows upsert policyholders; bad rows are reported by line, good ones kept', async () => {
    const csv = ['policy_number,birth_date,name,email', 'AB-1,1980-02-01,Anna Kunde,anna@example.com', 'AB-2,not-a-date,Bad Date,', 'AB-3,1975-12-24,Bernd Kunde,'].join('\n');
    const first = await as('POST', '/customers/import', { body: { csv } });
    expect(first).toMatchObject({ status: 200, body: { imported: 2, updated: 0, unchanged: 0, rejected: [{ line: 3, reason: expect.any(String) }] } });
    expect((await auditOf('customers.imported'))[0]).toMatchObject({ actor: actor() });
    const rows = await as('POST', '/customers/import', {
      body: { rows: [{ policy_number: 'AB-1', birth_date: '1980-02-01', name: 'Anna "Nina" Kunde' }, { policy_number: 'CD-9', birth_date: '1990-06-30', name: 'Carla, Kundin', email: 'carla@example.com' }] },
    });
    expect(rows).toMatchObject({ status: 200, body: { imported: 1, updated: 1, rejected: [] } });
    expect((await app.runtime.db('policyholders').where({ policy_number: 'CD-9' }).first()).name).toBe('Carla, Kundin');
  });

  test('neither or both of csv and rows, or unknown row fields: 400, nothing imported', async () => {
    const before = await countOf('policyholders');
    expect(await as('POST', '/customers/import', { body: {} })).toMatchObject({ status: 400, body: { problems: { csv: expect.any(String) } } });
    expect((await as('POST', '/customers/import', { body: { csv: 'x', rows: [] } })).status).toBe(400);
    expect(await as('POST', '/customers/import', { body: { rows: [{ policy_number: 'X', birth_date: '1980-01-01', name: 'X', vip: true }] } })).toMatchObject({ status: 400, body: { problems: { 'rows.0.vip': 'unknown_field' } } });
    expect(await countOf('policyholders')).toBe(before);
  });
});

describe('admin API: keys and audit', () => {
  test('rotate (audited), list, retire a published key (204); retiring the signing key is 409, an unknown kid 404', async () => {
    const before = await as('GET', '/keys');
    const oldKids = (before.body.items as Array<{ kid: string; status: string }>).map((k) => k.kid);
    const rotated = await as('POST', '/keys/rotate');
    expect(rotated.status).toBe(201);
    const newKeys = rotated.body.items as Array<{ kid: string; status: string; alg: string }>;
    expect(newKeys.map((k) => k.status)).toEqual(['signing', 'signing']);
    expect((await auditOf('keys.rotated'))[0]).toMatchObject({ actor: actor() });
    const jwks = (await (await fetch(new URL('/jwks', app.url))).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([...oldKids, ...newKeys.map((k) => k.kid)]));

    expect(await as('DELETE', `/keys/${newKeys[0]!.kid}`)).toMatchObject({ status: 409, body: { error: 'signing_key_in_use' } });
    expect(await as('DELETE', '/keys/00000000-0000-0000-0000-000000000000')).toMatchObject({ status: 404, body: { error: 'signing_key_not_found' } });
    expect((await as('DELETE', '/keys/..%2F..')).status).toBe(404);
    const retired = await as('DELETE', `/keys/${oldKids[0]!}`);
    expect(retired.status).toBe(204);
    expect((await auditOf('keys.retired'))[0]).toMatchObject({ actor: actor(), detail: { kid: oldKids[0] } });
    expect(((await as('GET', '/keys')).body.items as Array<{ kid: string }>).map((k) => k.kid)).not.toContain(oldKids[0]);
  });

  test('audit: filters by account, type and since; pages newest first; every API call is in it with the acting client', async () => {
    const user = await as('POST', '/users', { body: { email: 'audited@example.com' } });
    // The domain's own event names the request and the caller's address, as the call's row does.
    const created = (await auditOf('account.created')).find((row) => row.account_id === user.body.id)!;
    expect(created).toMatchObject({ ip: expect.stringMatching(/127\.0\.0\.1/), detail: { request_id: user.headers.get('x-request-id') } });
    const call = (await auditOf('admin_api.request')).find((row) => row.detail.request_id === user.headers.get('x-request-id'));
    expect(call).toMatchObject({ ip: created.ip, detail: { route: '/admin/api/v1/users', method: 'POST' } });
    await as('POST', `/users/${user.body.id as string}/block`);
    await as('POST', `/users/${user.body.id as string}/unblock`);
    const byAccount = await as('GET', '/audit?account=audited@example.com');
    expect((byAccount.body.items as Array<{ type: string }>).map((e) => e.type)).toEqual(['account.unblocked', 'account.signed_out', 'account.blocked', 'account.created']);
    expect((byAccount.body.items as Array<{ actor: string }>).every((e) => e.actor === actor())).toBe(true);

    const calls = await as('GET', '/audit?type=admin_api.request&limit=2');
    const page = calls.body.items as Array<{ id: string; actor: string; client_id: string; outcome: string; detail: { route: string } }>;
    expect(page).toHaveLength(2);
    // Reads are calls too: the newest is the audit query just made, then the unblock.
    expect(page[0]).toMatchObject({ actor: actor(), client_id: admin.clientId, outcome: 'success', detail: { route: '/admin/api/v1/audit' } });
    expect(page[1]).toMatchObject({ actor: actor(), detail: { route: '/admin/api/v1/users/:id/unblock', method: 'POST', status: 200 } });
    const next = await as('GET', `/audit?type=admin_api.request&limit=2&cursor=${calls.body.next_cursor as string}`);
    const nextIds = (next.body.items as Array<{ id: string }>).map((e) => Number(e.id));
    expect(Math.max(...nextIds)).toBeLessThan(Math.min(...page.map((e) => Number(e.id))));

    const future = await as('GET', `/audit?since=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`);
    expect(future.body).toEqual({ items: [], next_cursor: null });
    expect(await as('GET', '/audit?since=yesterday')).toMatchObject({ status: 400, body: { problems: { since: 'not_an_iso_time' } } });
    expect(await as('GET', '/audit?type=x&type=y')).toMatchObject({ status: 400, body: { problems: { type: expect.any(String) } } });
    expect(await as('GET', '/audit?account=nobody@example.com')).toMatchObject({ status: 404, body: { error: 'user_not_found' } });
    // A forged cursor is a problem of the parameter sent, not of a field the caller never saw.
    for (const cursor of [Buffer.from('["x"]').toString('base64url'), Buffer.from('["1","2"]').toString('base64url'), 'garbage']) {
      expect(await as('GET', `/audit?cursor=${cursor}`)).toMatchObject({ status: 400, body: { error: 'invalid_input', problems: { cursor: expect.any(String) } } });
    }

    // One event by its id: the same entry as in the list; ids that name none are 404.
    expect(await as('GET', `/audit/${page[1]!.id}`)).toMatchObject({ status: 200, body: page[1] });
    for (const id of ['999999999999', '0', '-1', 'abc', '1e3', '9'.repeat(30)]) {
      expect(await as('GET', `/audit/${id}`)).toMatchObject({ status: 404, body: { error: 'not_found' } });
    }
  });
});

describe('admin API: a client it creates signs people in', () => {
  test('authorization code with PKCE and consent, as for a CLI client', async () => {
    await app.services.accounts.create({ email: 'signin@example.com', password: PASSWORD });
    const made = await as('POST', '/clients', { body: { name: 'API-made portal', redirect_uris: [REDIRECT] } });
    expect(made.status).toBe(201);
    const clientId = made.body.client_id as string;
    const clientSecret = made.body.client_secret as string;
    const flow = new LoginFlow(app, { clientId, clientSecret, redirectUri: REDIRECT, config: await configureRelyingParty(app, clientId, clientSecret) });
    await flow.startAuthorization({ ui_locales: 'en' });
    await flow.submitPassword('signin@example.com', PASSWORD);
    expect(await flow.showPage()).toContain('Allow');
    await flow.submit('consent', {});
    const tokens = await flow.finishAtCallback();
    expect(tokens.claims()!.email).toBe('signin@example.com');
    // A person's access token is no admin token, whatever its client.
    expect((await adminCall(app, 'GET', '/clients', { token: tokens.access_token })).status).toBe(401);
    // Nor is the person's ID token or refresh token.
    for (const token of [tokens.id_token!, tokens.refresh_token!]) {
      expect(token).toEqual(expect.any(String));
      expect(await adminCall(app, 'GET', '/clients', { token })).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    }
  });
});
