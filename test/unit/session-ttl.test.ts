import { expect, test } from '@jest/globals';
import { sessionTtlSeconds } from '../../src/oidc/session-ttl.js';

const limits = { staySignedInDays: 30, maxHours: 12 };
const loginTs = 1_800_000_000;

test('without "Stay signed in" the session ends SESSION_MAX_HOURS after sign-in, however often it is used', () => {
  expect(sessionTtlSeconds({ loginTs, transient: true }, limits, loginTs)).toBe(12 * 3600);
  expect(sessionTtlSeconds({ loginTs, transient: true }, limits, loginTs + 11 * 3600)).toBe(3600);
  expect(sessionTtlSeconds({ loginTs, transient: true }, limits, loginTs + 13 * 3600)).toBe(1);
});

test('with "Stay signed in" it lasts STAY_SIGNED_IN_DAYS from sign-in', () => {
  expect(sessionTtlSeconds({ loginTs, transient: false }, limits, loginTs + 86400)).toBe(29 * 86400);
});

test('a session nobody has signed in to yet lives no longer than the short limit', () => {
  expect(sessionTtlSeconds({}, limits, loginTs)).toBe(12 * 3600);
});
