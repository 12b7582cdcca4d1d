import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createAccountClaims } from '../../src/domain/account-claims.js';
import { createAccountService } from '../../src/domain/accounts.js';
import { createAuditLog } from '../../src/domain/audit.js';
import { createOrganisationService } from '../../src/domain/organisations.js';
import { createPasswordHasher } from '../../src/domain/passwords.js';
import { createRoleService } from '../../src/domain/roles.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors/index.js';
import { createAuditRepo } from '../../src/store/pg/audit-repo.js';
import { createDb, migrate, type Db } from '../../src/store/pg/db.js';
import { createDirectory } from '../../src/store/pg/directory.js';
import { createTestDatabase } from '../helpers/database.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
let roles: ReturnType<typeof createRoleService>;
let organisations: ReturnType<typeof createOrganisationService>;
let accounts: ReturnType<typeof createAccountService>;
let claims: ReturnType<typeof createAccountClaims>;

beforeAll(async () => {
  database = await createTestDatabase('orgs');
  db = createDb({ databaseUrl: database.url, dataDir: '/tmp' });
  await migrate(db);
  const directory = createDirectory(db);
  const audit = createAuditLog(createAuditRepo(db));
  roles = createRoleService({ repo: directory.roles, audit });
  organisations = createOrganisationService({ directory, audit });
  accounts = createAccountService({
    repo: directory.accounts,
    directory,
    hasher: createPasswordHasher({ cost: 4 }),
    audit,
    passwordMinLength: 10,
    agentNumberPattern: /^\d{2}\/\d{3}\/\d{4}$/,
  });
  claims = createAccountClaims(directory);
  for (const name of ['file-manager', 'fleet-manager', 'group-manager', 'user-manager', 'full-access']) await roles.create({ name });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

/** The ValidationError `work` fails with, so a test can look at its problems. */
async function validationProblems(work: Promise<unknown>): Promise<Record<string, string>> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).problems;
}

const auditTypes = async () => (await db('audit_events').select('type')).map((e: { type: string }) => e.type);

describe('role catalogue', () => {
  test('creates, lists by name and records the act', async () => {
    const created = await roles.create({ name: 'occupational-pensions', description: ' Occupational pensions ' }, 'admin');
    expect(created).toEqual({ id: expect.any(String), name: 'occupational-pensions', description: 'Occupational pensions' });
    const listed = await roles.list();
    expect(listed.map((r) => r.name)).toEqual([...listed.map((r) => r.name)].sort());
    expect(listed).toContainEqual(created);
    expect(await db('audit_events').where({ type: 'role.created', actor: 'admin' })).toHaveLength(1);
  });

  test('refuses a name taken already, in any case', async () => {
    await expect(roles.create({ name: 'fleet-manager' })).rejects.toBeInstanceOf(ConflictError);
    await db('roles').insert({ name: 'Legacy-Role' });
    await expect(roles.create({ name: 'legacy-role' })).rejects.toMatchObject({ code: 'role_taken' });
  });

  test('refuses names outside the pattern', async () => {
    for (const name of ['Fleet', 'x', '1abc', 'with space', 'under_score', `a${'b'.repeat(63)}`]) {
      expect(await validationProblems(roles.create({ name }))).toEqual({ name: 'invalid_role_name' });
    }
  });
});

describe('organisation tree', () => {
  let holding: string;
  let region: string;
  let branch: string;

  beforeAll(async () => {
    holding = (await organisations.create({ name: 'Müller Holding', grantableRoles: ['file-manager', 'fleet-manager', 'group-manager'] })).id;
    region = (await organisations.create({ name: 'Müller Nord', parent: 'müller holding', grantableRoles: ['file-manager'] })).id;
    branch = (await organisations.create({ name: 'Müller Kiel', parent: region })).id;
    await organisations.create({ name: 'Schmidt Makler' });
  });

  test('creates with parent and grantable roles, found by id or name', async () => {
    const shown = await organisations.show('MÜLLER NORD');
    expect(shown).toMatchObject({ id: region, name: 'Müller Nord', parent_id: holding, grantable_roles: ['file-manager'] });
    expect(await organisations.show(holding)).toMatchObject({ grantable_roles: ['file-manager', 'fleet-manager', 'group-manager'] });
    expect((await organisations.list()).map((o) => o.name)).toEqual(expect.arrayContaining(['Müller Holding', 'Müller Kiel', 'Schmidt Makler']));
    await expect(organisations.show('Nobody GmbH')).rejects.toBeInstanceOf(NotFoundError);
    expect(await auditTypes()).toContain('org.created');
  });

  test('refuses a taken name, an unknown parent and unknown roles, naming them', async () => {
    await expect(organisations.create({ name: 'müller holding' })).rejects.toMatchObject({ code: 'organisation_taken' });
    expect(await validationProblems(organisations.create({ name: 'Orphan', parent: 'Nobody GmbH' }))).toEqual({ parent: 'unknown_organisation' });
    expect(await validationProblems(organisations.create({ name: 'Orphan', grantableRoles: ['fleet-manager', 'astronaut', 'pilot'] }))).toEqual({
      grantableRoles: 'unknown_role: astronaut, pilot',
    });
    expect(await organisations.list()).not.toContainEqual(expect.objectContaining({ name: 'Orphan' }));
  });

  test('descendants reach every depth, the organisation first', async () => {
    expect(await organisations.descendants(holding)).toEqual([
      { id: holding, name: 'Müller Holding' },
      { id: branch, name: 'Müller Kiel' },
      { id: region, name: 'Müller Nord' },
    ]);
    expect(await organisations.descendants(region)).toEqual([
      { id: region, name: 'Müller Nord' },
      { id: branch, name: 'Müller Kiel' },
    ]);
    expect(await organisations.descendants(branch)).toEqual([{ id: branch, name: 'Müller Kiel' }]);
    expect(await organisations.descendants('not-a-uuid')).toEqual([]);
  });

  test('refuses a parent that would close a cycle', async () => {
    expect(await validationProblems(organisations.update(holding, { parent: 'Müller Kiel' }))).toEqual({ parent: 'organisation_cycle' });
    expect(await validationProblems(organisations.update(region, { parent: region }))).toEqual({ parent: 'organisation_cycle' });
    expect((await organisations.show(holding)).parent_id).toBeNull();
  });

  test('moves a subtree and makes an organisation a root again', async () => {
    const moved = await organisations.update('müller kiel', { parent: holding }, 'admin');
    expect(moved).toMatchObject({ id: branch, parent_id: holding });
    expect((await organisations.descendants(region)).map((o) => o.id)).toEqual([region]);
    expect((await organisations.update(branch, { parent: null })).parent_id).toBeNull();
    await organisations.update(branch, { parent: region });
    expect(await db('audit_events').where({ type: 'org.updated', actor: 'admin' })).toHaveLength(1);
  });

  test('renames, refusing the name of another organisation', async () => {
    await expect(organisations.update(branch, { name: 'Schmidt Makler' })).rejects.toMatchObject({ code: 'organisation_taken' });
    expect((await organisations.update(branch, { name: 'Müller Kiel-Nord' })).name).toBe('Müller Kiel-Nord');
    expect((await organisations.update(branch, { name: 'Müller Kiel' })).name).toBe('Müller Kiel');
  });
});

describe('roles of accounts', () => {
  test('an account without organisation may hold any catalogue role', async () => {
    const account = await accounts.create({ email: 'free@example.com', roles: ['full-access', 'fleet-manager'] });
    const shown = await accounts.show(account.id);
    expect(shown).toMatchObject({ organisation: null, roles: ['fleet-manager', 'full-access'] });
  });

  test('a member holds only roles its organisation may grant', async () => {
    expect(await validationProblems(accounts.create({ email: 'nord@example.com', organisation: 'Müller Nord', roles: ['file-manager', 'fleet-manager', 'full-access'] }))).toEqual({
      roles: 'role_not_grantable: fleet-manager, full-access',
    });
    expect(await accounts.findByEmail('nord@example.com')).toBeUndefined();

    const member = await accounts.create({ email: 'nord@example.com', organisation: 'müller nord', roles: ['file-manager'] });
    expect(await accounts.show('NORD@example.com')).toMatchObject({ organisation: { id: member.organisation_id, name: 'Müller Nord' }, roles: ['file-manager'] });
  });

  test('refuses unknown roles and organisations, naming them', async () => {
    expect(await validationProblems(accounts.create({ email: 'x@example.com', roles: ['astronaut'] }))).toEqual({ roles: 'unknown_role: astronaut' });
    expect(await validationProblems(accounts.create({ email: 'x@example.com', organisation: 'Nobody GmbH' }))).toEqual({ organisation: 'unknown_organisation' });
  });

  test('update checks roles against the organisation, also when only the organisation changes', async () => {
    await accounts.create({ email: 'mover@example.com', organisation: 'Müller Holding', roles: ['fleet-manager'] });

    expect(await validationProblems(accounts.update('mover@example.com', { roles: ['fleet-manager', 'user-manager'] }))).toEqual({
      roles: 'role_not_grantable: user-manager',
    });
    expect(await validationProblems(accounts.update('mover@example.com', { organisation: 'Müller Nord' }))).toEqual({
      roles: 'role_not_grantable: fleet-manager',
    });
    expect(await accounts.show('mover@example.com')).toMatchObject({ organisation: { name: 'Müller Holding' }, roles: ['fleet-manager'] });

    const moved = await accounts.update('mover@example.com', { organisation: 'Müller Nord', roles: ['file-manager'], name: 'Max Mover' }, 'admin');
    expect(moved).toMatchObject({ name: 'Max Mover', organisation: { name: 'Müller Nord' }, roles: ['file-manager'] });

    const freed = await accounts.update(moved.id, { organisation: null, roles: ['user-manager', 'file-manager'] });
    expect(freed).toMatchObject({ organisation: null, organisation_id: null, roles: ['file-manager', 'user-manager'] });

    const updates = await db('audit_events').where({ type: 'account.updated', account_id: moved.id }).orderBy('id');
    expect(updates).toHaveLength(2);
    expect(updates[0]).toMatchObject({ actor: 'admin', detail: { changed: ['organisation', 'roles', 'name'], roles: ['file-manager'] } });
    await expect(accounts.update('nobody@example.com', { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
  });

  test('narrowing an organisation\'s grantable set withdraws those roles from its members', async () => {
    await organisations.create({ name: 'Weber Versicherungsmakler', grantableRoles: ['file-manager', 'fleet-manager'] });
    const member = await accounts.create({ email: 'weber@example.com', organisation: 'Weber Versicherungsmakler', roles: ['file-manager', 'fleet-manager'] });
    const outsider = await accounts.create({ email: 'outsider@example.com', roles: ['fleet-manager'] });

    await organisations.update('Weber Versicherungsmakler', { grantableRoles: ['file-manager'] });
    expect((await accounts.show(member.id)).roles).toEqual(['file-manager']);
    expect((await accounts.show(outsider.id)).roles).toEqual(['fleet-manager']);
    expect(await db('audit_events').where({ type: 'org.updated' }).whereRaw("detail->>'withdrawn_grants' = '1'")).toHaveLength(1);
  });

  test('concurrent grants and a narrowing never leave a member with an ungrantable role', async () => {
    await organisations.create({ name: 'Race GmbH', grantableRoles: ['file-manager', 'fleet-manager'] });
    await Promise.allSettled([
      ...Array.from({ length: 8 }, (_, i) => accounts.create({ email: `race${i}@example.com`, organisation: 'Race GmbH', roles: ['fleet-manager'] })),
      organisations.update('Race GmbH', { grantableRoles: ['file-manager'] }),
    ]);
    const ungrantable = await db('account_roles as ar')
      .join('accounts as a', 'a.id', 'ar.account_id')
      .whereNotNull('a.organisation_id')
      .whereNotExists(db('organisation_roles as g').whereRaw('g.organisation_id = a.organisation_id and g.role_id = ar.role_id'))
      .select('a.email');
    expect(ungrantable).toEqual([]);
  });
});

describe('claimsFor', () => {
  test('a member without group-manager gets org but no orgs', async () => {
    const account = await accounts.create({ email: 'kiel@example.com', name: 'Karla Kiel', agentNumber: '60/123/4567', organisation: 'Müller Kiel' });
    const organisation = await organisations.show('Müller Kiel');
    expect(await claims.claimsFor(account.id)).toEqual({
      email: 'kiel@example.com',
      email_verified: false,
      name: 'Karla Kiel',
      agent_number: '60/123/4567',
      roles: [],
      org: { id: organisation.id, name: 'Müller Kiel' },
    });
  });

  test('a group manager gets the organisation and all its descendants as orgs', async () => {
    const account = await accounts.create({ email: 'gm@example.com', organisation: 'Müller Holding', roles: ['group-manager', 'fleet-manager'] });
    const holding = await organisations.show('Müller Holding');
    const result = await claims.claimsFor(account.id);
    expect(result).toEqual({
      email: 'gm@example.com',
      email_verified: false,
      roles: ['fleet-manager', 'group-manager'],
      org: { id: holding.id, name: 'Müller Holding' },
      orgs: [
        { id: holding.id, name: 'Müller Holding' },
        { id: (await organisations.show('Müller Kiel')).id, name: 'Müller Kiel' },
        { id: (await organisations.show('Müller Nord')).id, name: 'Müller Nord' },
      ],
    });
    expect(result).not.toHaveProperty('name');
    expect(result).not.toHaveProperty('agent_number');
  });

  test('an account without organisation has neither org nor orgs, even as group manager', async () => {
    const account = await accounts.create({ email: 'lonely-gm@example.com', roles: ['group-manager'] });
    expect(await claims.claimsFor(account.id)).toEqual({ email: 'lonely-gm@example.com', email_verified: false, roles: ['group-manager'] });
  });

  test('a blocked, pending or missing account has no claims', async () => {
    const blocked = await accounts.create({ email: 'blocked@example.com', status: 'blocked', organisation: 'Müller Holding' });
    const pending = await accounts.create({ email: 'pending@example.com', status: 'pending' });
    expect(await claims.claimsFor(blocked.id)).toBeUndefined();
    expect(await claims.claimsFor(pending.id)).toBeUndefined();
    expect(await claims.claimsFor('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(await claims.claimsFor('not-a-uuid')).toBeUndefined();
  });
});
