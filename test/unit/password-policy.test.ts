import { describe, expect, test } from '@jest/globals';
import { COMMON_PASSWORD_COUNT, isCommonPassword } from '../../src/domain/common-passwords.js';
import { unmetPasswordRules } from '../../src/domain/password-policy.js';

describe('common passwords (SPEC 4.7)', () => {
  test('the list holds at least 10 000 passwords', () => {
    expect(COMMON_PASSWORD_COUNT).toBeGreaterThanOrEqual(10_000);
  });

  test('listed passwords are refused in any case, and so is a listed word dressed up with digits and symbols', () => {
    for (const password of ['Password1!', 'PASSWORD', 'qwerty123', 'Sunshine2024!', 'Dragon#1']) {
      expect(isCommonPassword(password)).toBe(true);
    }
    expect(unmetPasswordRules('Password1!', { minLength: 8 })).toEqual(['not_common']);
  });

  test('passwords that only contain a listed word elsewhere, or a short stem, pass', () => {
    for (const password of ['Demo-Passw0rd!', 'Correct-Horse-7', 'Neues-Passw0rt!', 'Ab12345!x', 'Zq7#mV2p!']) {
      expect(isCommonPassword(password)).toBe(false);
    }
    expect(unmetPasswordRules('Demo-Passw0rd!', { minLength: 8 })).toEqual([]);
  });
});
