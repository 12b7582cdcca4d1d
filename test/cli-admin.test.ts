import { createCliRunner } from './helpers/cli.js';

/** The administration commands of issue 10 (keys, audit, client secrets, initial access tokens). */
const { pforte, pforteJson, setUp, tearDown } = createCliRunner();
beforeAll(setUp);
afterAll(tearDown);

interface KeyView { kid: string; alg: string; status: string; created_at: string }

describe('pforte keys', () => {
  it('lists, rotates and retires signing keys; the signing key cannot be retired', async () => {
    const first = await pforteJson<KeyView[]>('keys', 'list');
    expect(first.map((k) => [k.alg, k.status]).sort()).toEqual([['ES256', 'signing'], ['RS256', 'signing']]);

    const rotated = await pforteJson<KeyView[]>('keys', 'rotate');
    expect(rotated.map((k) => k.status)).toEqual(['signing', 'signing']);
    const listed = await pforteJson<KeyView[]>('keys', 'list');
    expect(listed).toHaveLength(4);
    for (const old of first) expect(listed.find((k) => k.kid === old.kid)?.status).toBe('published');

    const refused = await pforte('keys', 'retire', rotated[0]!.kid, '--json');
    expect(refused.code).toBe(4);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: 'signing_key_in_use' });
    const unknown = await pforte('keys', 'retire', 'nope', '--json');
    expect(unknown.code).toBe(3);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ error: 'signing_key_not_found' });

    expect(await pforteJson('keys', 'retire', first[0]!.kid)).toEqual({ kid: first[0]!.kid, retired: true });
    expect((await pforteJson<KeyView[]>('keys', 'list')).map((k) => k.kid)).not.toContain(first[0]!.kid);
  });

  it('re-seals signing keys and client secrets', async () => {
    await pforteJson('client', 'create', '--name', 'Sealed', '--redirect-uri', 'https://sealed.example/cb');
    expect(await pforteJson('keys', 'reencrypt')).toEqual({ signing_keys: 3, client_secrets: 1 });
  });
});

interface AuditEntryJson { type: string; outcome: string; actor: string | null; account_id: string | null; at: string; ip: string | null; request_id: string | null }

describe('pforte audit list', () => {
  it('filters by account (id or email), type, time and count, newest first', async () => {
    const user = await pforteJson<{ id: string }>('user', 'create', '--email', 'audited@example.com', '--password', 'Sichere-Passw0rt!');
    await pforteJson('user', 'update', 'audited@example.com', '--name', 'Audited Person');
    await pforteJson('user', 'create', '--email', 'other@example.com', '--password', 'Sichere-Passw0rt!');

    const byEmail = await pforteJson<AuditEntryJson[]>('audit', 'list', '--account', 'audited@example.com');
    expect(byEmail[0]!.type).toBe('account.updated');
    expect(byEmail.at(-1)!.type).toBe('account.created');
    expect(byEmail.every((e) => e.account_id === user.id && e.outcome === 'success')).toBe(true);
    expect(byEmail[0]).toEqual(expect.objectContaining({ actor: expect.stringMatching(/^cli/), at: expect.any(String), ip: null, request_id: null }));
    expect(await pforteJson('audit', 'list', '--account', user.id)).toEqual(byEmail);

    const created = await pforteJson<AuditEntryJson[]>('audit', 'list', '--type', 'account.created', '--limit', '1');
    expect(created).toHaveLength(1);
    expect(created[0]!.account_id).not.toBe(user.id);

    expect(await pforteJson('audit', 'list', '--since', '2999-01-01T00:00:00Z')).toEqual([]);
    expect((await pforteJson<AuditEntryJson[]>('audit', 'list', '--since', '2000-01-01T00:00:00+01:00')).length).toBeGreaterThan(2);
  });

  it('refuses bad filters with the catalogue code, and an unknown account with user_not_found', async () => {
    for (const [flag, value, field] of [['--since', 'yesterday', 'since'], ['--limit', '0', 'limit'], ['--limit', 'ten', 'limit'], ['--type', "x'; drop table", 'type']] as const) {
      const result = await pforte('audit', 'list', flag, value, '--json');
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stderr)).toMatchObject({ error: 'invalid_input', problems: { [field]: expect.any(String) } });
    }
    const unknown = await pforte('audit', 'list', '--account', 'nobody@example.com', '--json');
    expect(unknown.code).toBe(3);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ error: 'user_not_found' });
  });
});

describe('pforte client rotate-secret and --default-acr', () => {
  it('prints the new secret once; takes a comma-separated --default-acr', async () => {
    const created = await pforteJson<{ client_id: string; client_secret: string; metadata: Record<string, unknown> }>(
      'client', 'create', '--name', 'Rotating', '--redirect-uri', 'https://rotating.example/cb', '--default-acr', 'urn:pforte:loa:1,urn:pforte:loa:2',
    );
    expect(created.metadata.default_acr_values).toEqual(['urn:pforte:loa:1', 'urn:pforte:loa:2']);
    const rotated = await pforteJson<{ client_id: string; client_secret: string }>('client', 'rotate-secret', 'Rotating');
    expect(rotated).toEqual({ client_id: created.client_id, client_secret: expect.any(String) });
    expect(rotated.client_secret).not.toBe(created.client_secret);
    expect(await pforteJson('client', 'show', created.client_id)).not.toHaveProperty('client_secret');
  });
});

describe('pforte client create --admin', () => {
  it('makes an admin client allowed pforte:admin; it needs client_credentials; --no-admin takes it back', async () => {
    const created = await pforteJson<{ client_id: string; metadata: Record<string, unknown> }>('client', 'create', '--name', 'Admin script', '--grant-types', 'client_credentials', '--admin');
    expect(created.metadata).toMatchObject({ admin_client: true, scope: expect.stringContaining('pforte:admin') });
    const refused = await pforte('client', 'create', '--name', 'Code admin', '--redirect-uri', 'https://admin.example/cb', '--admin', '--json');
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: 'invalid_input', problems: { '--admin': expect.stringContaining('client_credentials') } });
    const normal = await pforte('client', 'create', '--name', 'Sneaky', '--grant-types', 'client_credentials', '--scopes', 'openid,pforte:admin', '--json');
    expect(normal.code).toBe(2);
    const demoted = await pforteJson<{ metadata: Record<string, unknown> }>('client', 'update', created.client_id, '--no-admin');
    expect(demoted.metadata).not.toHaveProperty('admin_client');
    expect(demoted.metadata.scope).not.toContain('pforte:admin');
  });
});

describe('pforte client initial-token create', () => {
  it('prints a token valid 24 hours by default, or --ttl-hours; refuses a bad ttl', async () => {
    const started = Date.now();
    const byDefault = await pforteJson<{ token: string; expires_at: string }>('client', 'initial-token', 'create');
    expect(byDefault.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(byDefault.expires_at) - started).toBeGreaterThan(23.9 * 3600_000);
    expect(Date.parse(byDefault.expires_at) - started).toBeLessThanOrEqual(24 * 3600_000 + 60_000);
    const short = await pforteJson<{ expires_at: string }>('client', 'initial-token', 'create', '--ttl-hours', '2');
    expect(Date.parse(short.expires_at) - started).toBeLessThanOrEqual(2 * 3600_000 + 60_000);

    const refused = await pforte('client', 'initial-token', 'create', '--ttl-hours', '0', '--json');
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: 'invalid_input', problems: { ttl_hours: expect.any(String) } });
  });
});
