import { Redis } from 'ioredis';
import { createLockout } from '../src/domain/lockout.js';
import { createLockoutStore } from '../src/store/redis/lockout-store.js';
import { createCliRunner } from './helpers/cli.js';

/** The pforte CLI as an operator runs it: the built bin/pforte.js in its own process. */
const { pforte, pforteJson, setUp, tearDown } = createCliRunner();
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
beforeAll(setUp);
afterAll(tearDown);

describe('pforte migrate', () => {
  it('applies the migrations once, then has nothing to do', async () => {
    const first = await pforteJson<{ applied: string[] }>('migrate');
    expect(first.applied.length).toBeGreaterThan(0);
    expect(await pforteJson('migrate')).toEqual({ applied: [] });
  });
});

describe('pforte client', () => {
  it('creates a confidential client and shows its secret once', async () => {
    const created = await pforteJson('client', 'create', '--name', 'Broker Portal', '--redirect-uri', 'https://broker.example/cb', '--redirect-uri', 'https://broker.example/cb2', '--first-party');
    expect(created).toMatchObject({ name: 'Broker Portal', client_id: expect.any(String), client_secret: expect.any(String) });
    expect(created.metadata).toMatchObject({
      redirect_uris: ['https://broker.example/cb', 'https://broker.example/cb2'],
      first_party: true,
      token_endpoint_auth_method: 'client_secret_basic',
    });

    const shown = await pforteJson('client', 'show', 'Broker Portal');
    expect(shown.client_id).toBe(created.client_id);
    expect(shown).not.toHaveProperty('client_secret');
  });

  it('creates a public client without a secret', async () => {
    const created = await pforteJson('client', 'create', '--name', 'Tariff Calculator', '--redirect-uri', 'https://tariff.example/cb', '--public', '--no-device-shortcut');
    expect(created.client_id).toEqual(expect.any(String));
    expect(created).not.toHaveProperty('client_secret');
    expect(created.metadata).toMatchObject({ token_endpoint_auth_method: 'none', device_shortcut: false });
  });

  it('lists, updates only the given flags, and deletes by id or name', async () => {
    const created = await pforteJson('client', 'create', '--name', 'Customer Portal', '--redirect-uri', 'https://customer.example/cb', '--scopes', 'openid,email');
    const list = await pforteJson<Array<{ client_id: string; name: string }>>('client', 'list');
    expect(list.map((c) => c.name)).toEqual(expect.arrayContaining(['Customer Portal', 'Broker Portal', 'Tariff Calculator']));

    const updated = await pforteJson('client', 'update', String(created.client_id), '--min-acr', 'urn:pforte:loa:2', '--acr', 'urn:pforte:loa:2', '--default-acr', 'urn:pforte:loa:2');
    expect(updated.metadata).toMatchObject({ min_acr: 'urn:pforte:loa:2', scope: 'openid email', redirect_uris: ['https://customer.example/cb'] });

    expect(await pforteJson('client', 'delete', 'Customer Portal')).toEqual({ client_id: created.client_id, name: 'Customer Portal', deleted: true });
    const missing = await pforte('client', 'show', String(created.client_id), '--json');
    expect(missing.code).toBe(3);
    expect(missing.stdout).toBe('');
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: 'client_not_found' });
  });

  it('refuses an invalid redirect URI, naming the flag, with nothing on stdout', async () => {
    const human = await pforte('client', 'create', '--name', 'Bad', '--redirect-uri', 'not a url');
    expect(human.code).toBe(2);
    expect(human.stdout).toBe('');
    expect(human.stderr).toContain('--redirect-uri');

    const json = await pforte('client', 'create', '--name', 'Bad', '--redirect-uri', 'https://bad.example/cb#fragment', '--json');
    expect(json.code).toBe(2);
    expect(json.stdout).toBe('');
    expect(JSON.parse(json.stderr)).toMatchObject({ error: 'invalid_input', problems: { '--redirect-uri': expect.any(String) } });
  });

  it('refuses http on public hosts, wildcards, fragments and user information in every client URI', async () => {
    const refused: Array<[string, string, RegExp]> = [
      ['--redirect-uri', 'http://broker.example/cb', /https/],
      ['--redirect-uri', 'https://*.broker.example/cb', /wildcard/],
      ['--redirect-uri', 'https://broker.example/*', /wildcard/],
      ['--redirect-uri', 'https://user:secret@broker.example/cb', /user information/],
      ['--redirect-uri', 'https://broker.example/cb#', /fragment/],
      ['--post-logout-redirect-uri', 'http://broker.example/bye', /https/],
      ['--backchannel-logout-uri', 'http://10.1.2.3/backchannel', /https/],
      ['--backchannel-logout-uri', 'https://broker.example/backchannel#x', /fragment/],
    ];
    for (const [flag, value, message] of refused) {
      const args = flag === '--redirect-uri' ? [flag, value] : ['--redirect-uri', 'https://broker.example/cb', flag, value];
      const result = await pforte('client', 'create', '--name', 'Refused', ...args, '--json');
      expect({ value, code: result.code, stdout: result.stdout }).toEqual({ value, code: 2, stdout: '' });
      expect(JSON.parse(result.stderr)).toMatchObject({ error: 'invalid_input', problems: { [flag]: expect.stringMatching(message) } });
    }
    expect((await pforteJson<Array<{ name: string }>>('client', 'list')).map((c) => c.name)).not.toContain('Refused');

    // http is fine on loopback (native apps, development: RFC 8252).
    const loopback = await pforteJson('client', 'create', '--name', 'Desktop App', '--public',
      '--redirect-uri', 'http://localhost:8080/cb', '--redirect-uri', 'http://127.0.0.1/cb', '--redirect-uri', 'http://[::1]:9000/cb');
    expect(loopback.metadata).toMatchObject({ redirect_uris: ['http://localhost:8080/cb', 'http://127.0.0.1/cb', 'http://[::1]:9000/cb'] });

    const update = await pforte('client', 'update', 'Desktop App', '--redirect-uri', 'http://desktop.example/cb', '--json');
    expect(update.code).toBe(2);
    expect(JSON.parse(update.stderr)).toMatchObject({ error: 'invalid_input', problems: { '--redirect-uri': expect.stringMatching(/https/) } });
    expect((await pforteJson('client', 'show', 'Desktop App')).metadata).toMatchObject({ redirect_uris: ['http://localhost:8080/cb', 'http://127.0.0.1/cb', 'http://[::1]:9000/cb'] });
  });

  it('refuses unknown options and missing required flags as usage errors', async () => {
    const unknown = await pforte('client', 'list', '--bogus');
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain("unknown option '--bogus'");

    const missing = await pforte('client', 'create', '--redirect-uri', 'https://x.example/cb', '--json');
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: 'usage', message: expect.stringContaining('--name') });
  });
});

describe('pforte user', () => {
  it('creates, lists and shows a user without exposing the password hash', async () => {
    const created = await pforteJson('user', 'create', '--email', 'anna.broker@example.com', '--password', 'Correct-Horse-7', '--name', 'Anna');
    expect(created).toEqual({ id: expect.any(String), email: 'anna.broker@example.com', agent_number: null, status: 'active' });

    const list = await pforteJson<Array<Record<string, unknown>>>('user', 'list', '--search', 'anna.broker');
    expect(list).toEqual([expect.objectContaining({ id: created.id, email: 'anna.broker@example.com', name: 'Anna' })]);

    const byEmail = await pforteJson('user', 'show', 'ANNA.BROKER@example.com');
    const byId = await pforteJson('user', 'show', String(created.id));
    expect(byEmail).toEqual(byId);
    expect(byId).toMatchObject({ id: created.id, status: 'active' });
    expect(JSON.stringify([list, byId])).not.toMatch(/password|\$2[aby]\$/);
  });

  it('refuses a second account with the same email', async () => {
    await pforteJson('user', 'create', '--email', 'bernd@example.com');
    const duplicate = await pforte('user', 'create', '--email', 'Bernd@example.com', '--json');
    expect(duplicate.code).toBe(4);
    expect(duplicate.stdout).toBe('');
    expect(JSON.parse(duplicate.stderr)).toMatchObject({ error: 'email_taken' });
  });

  it('--activation prints a one-time link and leaves the account pending; --initial-password prints a password once', async () => {
    const invited = await pforteJson('user', 'create', '--email', 'invited@example.com', '--activation');
    expect(invited).toEqual({ id: expect.any(String), email: 'invited@example.com', agent_number: null, status: 'pending', activation_link: expect.stringMatching(/^http:\/\/localhost:3000\/activate\/[A-Za-z0-9_-]{43}$/) });
    const lettered = await pforteJson('user', 'create', '--email', 'letter@example.com', '--initial-password');
    expect(lettered).toMatchObject({ status: 'active', initial_password: expect.stringMatching(/^.{12,}$/) });
    expect(JSON.stringify(await pforteJson('user', 'show', 'letter@example.com'))).not.toContain(lettered.initial_password as string);
    const both = await pforte('user', 'create', '--email', 'both@example.com', '--activation', '--initial-password', '--json');
    expect(both.code).toBe(2);
    expect(both.stdout).toBe('');
    const permanentAlone = await pforte('user', 'create', '--email', 'permanent@example.com', '--permanent', '--json');
    expect(permanentAlone.code).toBe(2);
    expect(JSON.parse(permanentAlone.stderr)).toMatchObject({ error: 'invalid_input', problems: { permanent: 'needs a password' } });
  });

  it('--position and --phone are kept, shown and cleared; a bad phone is refused at its flag', async () => {
    await pforteJson('user', 'create', '--email', 'clara@example.com', '--position', 'Claims handler', '--phone', '+49 30 1234-5');
    expect(await pforteJson('user', 'show', 'clara@example.com')).toMatchObject({ position: 'Claims handler', phone: '+49 30 1234-5' });
    expect(await pforteJson('user', 'update', 'clara@example.com', '--phone', '', '--position', 'Team lead')).toMatchObject({ position: 'Team lead', phone: null });
    const bad = await pforte('user', 'update', 'clara@example.com', '--phone', 'call me', '--json');
    expect(bad.code).not.toBe(0);
    expect(JSON.parse(bad.stderr)).toMatchObject({ error: 'invalid_input', problems: { '--phone': 'invalid_phone' } });
    expect(await pforteJson('user', 'show', 'clara@example.com')).toMatchObject({ position: 'Team lead', phone: null });
  });

  it('reports an unknown user as not found', async () => {
    const result = await pforte('user', 'show', 'nobody@example.com');
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('not found');
  });
});

describe('pforte role', () => {
  it('creates roles and lists them by name', async () => {
    expect(await pforteJson('role', 'create', '--name', 'fleet-manager', '--description', 'Manages the fleet')).toEqual({
      id: expect.any(String),
      name: 'fleet-manager',
      description: 'Manages the fleet',
    });
    await pforteJson('role', 'create', '--name', 'group-manager');
    await pforteJson('role', 'create', '--name', 'file-manager');
    const list = await pforteJson<Array<{ name: string; description: string | null }>>('role', 'list');
    expect(list.map((r) => r.name)).toEqual(['file-manager', 'fleet-manager', 'group-manager']);
  });

  it('refuses a taken name and a malformed one', async () => {
    const taken = await pforte('role', 'create', '--name', 'fleet-manager', '--json');
    expect(taken.code).toBe(4);
    expect(taken.stdout).toBe('');
    expect(JSON.parse(taken.stderr)).toMatchObject({ error: 'role_taken' });

    const malformed = await pforte('role', 'create', '--name', 'Fleet Manager', '--json');
    expect(malformed.code).toBe(2);
    expect(JSON.parse(malformed.stderr)).toMatchObject({ problems: { '--name': 'invalid_role_name' } });
  });
});

describe('pforte org', () => {
  it('creates a tree, shows and lists it', async () => {
    const holding = await pforteJson('org', 'create', '--name', 'Müller Holding', '--grantable-roles', 'fleet-manager,group-manager', '--grantable-roles', 'file-manager');
    expect(holding).toEqual({ id: expect.any(String), name: 'Müller Holding', parent_id: null, grantable_roles: ['file-manager', 'fleet-manager', 'group-manager'] });
    const branch = await pforteJson('org', 'create', '--name', 'Müller Kiel', '--parent', 'müller holding', '--grantable-roles', 'file-manager');
    expect(branch).toMatchObject({ parent_id: holding.id, grantable_roles: ['file-manager'] });

    expect(await pforteJson('org', 'show', 'MÜLLER KIEL')).toMatchObject({ id: branch.id, name: 'Müller Kiel', parent_id: holding.id });
    const list = await pforteJson<Array<{ name: string }>>('org', 'list');
    expect(list.map((o) => o.name)).toEqual(['Müller Holding', 'Müller Kiel']);

    const missing = await pforte('org', 'show', 'Nobody GmbH', '--json');
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: 'organisation_not_found' });
  });

  it('updates parent and grantable roles, refusing cycles and unknown roles', async () => {
    const cycle = await pforte('org', 'update', 'Müller Holding', '--parent', 'Müller Kiel', '--json');
    expect(cycle.code).toBe(2);
    expect(cycle.stdout).toBe('');
    expect(JSON.parse(cycle.stderr)).toMatchObject({ problems: { '--parent': 'organisation_cycle' } });

    const unknown = await pforte('org', 'create', '--name', 'Weber', '--grantable-roles', 'fleet-manager,astronaut', '--json');
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ problems: { '--grantable-roles': 'unknown_role: astronaut' } });

    const rooted = await pforteJson('org', 'update', 'Müller Kiel', '--no-parent', '--grantable-roles', 'file-manager,fleet-manager');
    expect(rooted).toMatchObject({ name: 'Müller Kiel', parent_id: null, grantable_roles: ['file-manager', 'fleet-manager'] });
    const holding = await pforteJson('org', 'show', 'Müller Holding');
    expect(await pforteJson('org', 'update', 'Müller Kiel', '--parent', String(holding.id))).toMatchObject({ parent_id: holding.id });

    const nothing = await pforte('org', 'update', 'Müller Kiel');
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to change');
  });
});

describe('pforte user with organisation and roles', () => {
  it('creates a member with grantable roles and shows them', async () => {
    const created = await pforteJson('user', 'create', '--email', 'gm@mueller.example', '--org', 'Müller Holding', '--roles', 'group-manager,fleet-manager');
    expect(created).toEqual({ id: expect.any(String), email: 'gm@mueller.example', agent_number: null, status: 'active' });
    const holding = await pforteJson('org', 'show', 'Müller Holding');
    const shown = await pforteJson('user', 'show', 'gm@mueller.example');
    expect(shown).toMatchObject({ organisation: { id: holding.id, name: 'Müller Holding' }, roles: ['fleet-manager', 'group-manager'] });
    const list = await pforteJson<Array<Record<string, unknown>>>('user', 'list', '--search', 'mueller.example');
    expect(list).toEqual([expect.objectContaining({ email: 'gm@mueller.example', organisation: { id: holding.id, name: 'Müller Holding' }, roles: ['fleet-manager', 'group-manager'] })]);
    expect(await pforteJson('user', 'show', 'anna.broker@example.com')).toMatchObject({ organisation: null, roles: [] });
  });

  it('refuses roles the organisation may not grant, naming them', async () => {
    const refused = await pforte('user', 'create', '--email', 'kiel@mueller.example', '--org', 'Müller Kiel', '--roles', 'group-manager,file-manager', '--json');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: 'invalid_input', problems: { '--roles': 'role_not_grantable: group-manager' } });

    const human = await pforte('user', 'update', 'gm@mueller.example', '--org', 'Müller Kiel');
    expect(human.code).toBe(2);
    expect(human.stderr).toContain('role_not_grantable: group-manager');
  });

  it('updates name, organisation and roles', async () => {
    const moved = await pforteJson('user', 'update', 'gm@mueller.example', '--org', 'Müller Kiel', '--roles', 'fleet-manager', '--name', 'Greta');
    expect(moved).toMatchObject({ email: 'gm@mueller.example', name: 'Greta', organisation: { name: 'Müller Kiel' }, roles: ['fleet-manager'] });

    const freed = await pforteJson('user', 'update', 'gm@mueller.example', '--no-org', '--roles', '');
    expect(freed).toMatchObject({ organisation: null, roles: [] });

    const missing = await pforte('user', 'update', 'nobody@example.com', '--name', 'X', '--json');
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: 'user_not_found' });
  });
});

describe('pforte user unlock', () => {
  it('lifts the hard stop that failures from many addresses put on an account', async () => {
    const created = await pforteJson('user', 'create', '--email', 'hard.stop@example.com', '--password', 'Correct-Horse-7');
    const accountId = String(created.id);
    // The same Redis keys and default policy as the running pforte (threshold 5, hard stop at 100).
    const redis = new Redis(REDIS_URL);
    const lockout = createLockout({
      store: createLockoutStore(redis),
      audit: { record: async () => undefined },
      policy: { threshold: 5, baseSeconds: 60, maxSeconds: 900, accountThreshold: 30, hardLimit: 100 },
      hmacKey: 'cli-test',
    });
    try {
      for (let ip = 1; ip <= 20; ip += 1) {
        for (let i = 0; i < 5; i += 1) await lockout.recordFailure(accountId, 'pwd', `198.51.100.${ip}`);
      }
      expect(await lockout.failures(accountId, 'pwd')).toBe(100);
      expect(await lockout.isLocked(accountId, '192.0.2.1')).toBe(true);

      expect(await pforteJson('user', 'unlock', 'hard.stop@example.com')).toEqual({ id: accountId, email: 'hard.stop@example.com', unlocked: true });
      expect(await lockout.isLocked(accountId, '192.0.2.1')).toBe(false);
      expect(await lockout.isLocked(accountId, '198.51.100.1')).toBe(false);
      expect(await lockout.failures(accountId, 'pwd')).toBe(0);
    } finally {
      await lockout.lift(accountId);
      redis.disconnect();
    }
  });

  it('reports an unknown user as not found', async () => {
    const result = await pforte('user', 'unlock', 'nobody@example.com');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('not found');
  });
});
