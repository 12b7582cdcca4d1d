import { describe, expect, test } from '@jest/globals';
import { actorColumns, type Actor } from '../../src/domain/policies/actor.js';
import { authorize, isAllowed } from '../../src/domain/policies/authorize.js';

const ORG = '00000000-0000-4000-8000-000000000001';
const OTHER_ORG = '00000000-0000-4000-8000-000000000002';
const member = { id: 'a1', organisation_id: ORG };
const outsider = { id: 'a2', organisation_id: OTHER_ORG };
const loner = { id: 'a3', organisation_id: null };

describe('authorize(actor, action, target)', () => {
  test('an administrator and pforte itself may act on any account', () => {
    for (const actor of [{ kind: 'admin', id: 'cli:root' }, { kind: 'system', name: 'seed' }] as Actor[]) {
      for (const target of [member, outsider, loner]) expect(isAllowed(actor, 'account.block', target)).toBe(true);
    }
  });

  test('a person acts on their own account only, and may not block or unlock it', () => {
    const self: Actor = { kind: 'self', accountId: 'a1' };
    expect(isAllowed(self, 'account.change_password', member)).toBe(true);
    expect(isAllowed(self, 'account.sign_out_everywhere', member)).toBe(true);
    expect(isAllowed(self, 'account.revoke_devices', member)).toBe(true);
    expect(isAllowed(self, 'account.change_password', outsider)).toBe(false);
    expect(isAllowed(self, 'account.unblock', member)).toBe(false);
    expect(isAllowed(self, 'account.unlock', member)).toBe(false);
  });

  test('a user manager acts within their organisation and never sets a password', () => {
    const manager: Actor = { kind: 'userManager', accountId: 'm1', organisationId: ORG };
    expect(isAllowed(manager, 'account.block', member)).toBe(true);
    expect(isAllowed(manager, 'account.unlock', member)).toBe(true);
    expect(isAllowed(manager, 'account.block', outsider)).toBe(false);
    expect(isAllowed(manager, 'account.block', loner)).toBe(false);
    expect(isAllowed(manager, 'account.change_password', member)).toBe(false);
  });

  test('a group manager acts in every organisation of its tree, and creates and grants roles only there', () => {
    const groupManager: Actor = { kind: 'userManager', accountId: 'm1', organisationId: ORG, organisationIds: [ORG, OTHER_ORG] };
    expect(isAllowed(groupManager, 'account.block', outsider)).toBe(true);
    expect(isAllowed(groupManager, 'account.update_roles', member)).toBe(true);
    expect(isAllowed(groupManager, 'account.create', { id: '', organisation_id: 'elsewhere' })).toBe(false);
    expect(isAllowed(groupManager, 'account.block', loner)).toBe(false);
    expect(isAllowed({ kind: 'self', accountId: member.id }, 'account.update_roles', member)).toBe(false);
  });

  test('a user manager may not block their own account (the last one would leave nobody to unblock), but may act on it otherwise', () => {
    const manager: Actor = { kind: 'userManager', accountId: 'a1', organisationId: ORG };
    expect(isAllowed(manager, 'account.block', member)).toBe(false);
    expect(() => authorize(manager, 'account.block', member)).toThrow(expect.objectContaining({ code: 'cannot_block_self', status: 403 }));
    expect(isAllowed(manager, 'account.sign_out_everywhere', member)).toBe(true);
    expect(isAllowed(manager, 'account.unlock', member)).toBe(true);
    expect(isAllowed(manager, 'account.block', { id: 'a9', organisation_id: ORG })).toBe(true);
  });

  test('a refusal is the catalogue\'s forbidden (403)', () => {
    expect(() => authorize({ kind: 'self', accountId: 'a1' }, 'account.block', member)).toThrow(expect.objectContaining({ code: 'forbidden', status: 403 }));
  });

  test('audit columns name the kind and id of the actor', () => {
    expect(actorColumns({ kind: 'admin', id: 'cli:root' })).toEqual({ actor: 'cli:root', actor_kind: 'admin', actor_id: 'cli:root' });
    expect(actorColumns({ kind: 'self', accountId: 'a1' })).toEqual({ actor: 'account:a1', actor_kind: 'self', actor_id: 'a1' });
    expect(actorColumns({ kind: 'userManager', accountId: 'm1', organisationId: ORG })).toEqual({ actor: 'account:m1', actor_kind: 'user_manager', actor_id: 'm1' });
  });
});
