import { describe, expect, test } from '@jest/globals';
import { isAccountUsable, signInRefusal } from '../../src/domain/policies/sign-in.js';

const NOW = new Date('2026-12-02T10:00:00Z');
const active = { status: 'active' as const, must_change_password: false, password_expires_at: null };

describe('signInRefusal(account, { proven })', () => {
  test('an active account may sign in', () => {
    expect(signInRefusal(active, { proven: true, now: NOW })).toBeUndefined();
  });

  test.each([
    ['blocked', { ...active, status: 'blocked' as const }, 'account_blocked'],
    ['pending', { ...active, status: 'pending' as const }, 'account_pending'],
    ['with an expired initial password', { ...active, must_change_password: true, password_expires_at: new Date(NOW.getTime() - 1) }, 'initial_password_expired'],
  ])('an account %s is refused; the reason may be told only once the credential is proven', (_case, account, reason) => {
    expect(signInRefusal(account, { proven: false, now: NOW })).toEqual({ reason, mayTell: false });
    expect(signInRefusal(account, { proven: true, now: NOW })).toEqual({ reason, mayTell: true });
  });

  test('an initial password within its lifetime signs in (and is replaced first)', () => {
    expect(signInRefusal({ ...active, must_change_password: true, password_expires_at: new Date(NOW.getTime() + 1000) }, { proven: true, now: NOW })).toBeUndefined();
  });

  test('sessions and tokens live on only for active accounts', () => {
    expect(isAccountUsable(active)).toBe(true);
    expect(isAccountUsable({ status: 'blocked' })).toBe(false);
    expect(isAccountUsable({ status: 'pending' })).toBe(false);
  });
});
