import { expect, test } from '@jest/globals';
import { errors } from 'oidc-provider';
import { isUnavailable } from '../../src/errors/unavailable.js';
import { asProviderError } from '../../src/oidc/unavailable.js';

class MaxRetriesPerRequestError extends Error {
  override name = 'MaxRetriesPerRequestError';
}

test('outages of Redis, Postgres and SMTP are told apart from bugs', () => {
  // ioredis' own wording (lower-case "maxRetriesPerRequest"), with and without its class name.
  expect(isUnavailable(new MaxRetriesPerRequestError('Reached the max retries per request limit (which is 2). Refer to "maxRetriesPerRequest" option for details.'))).toBe(true);
  expect(isUnavailable(new Error('Reached the max retries per request limit (which is 2). Refer to "maxRetriesPerRequest" option for details.'))).toBe(true);
  expect(isUnavailable(new Error('Command timed out'))).toBe(true);
  expect(isUnavailable(Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }))).toBe(true);
  expect(isUnavailable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
  expect(isUnavailable(Object.assign(new Error('too many clients'), { code: '53300' }))).toBe(true);
  expect(isUnavailable(new Error('wrapped', { cause: Object.assign(new Error('y'), { code: 'ECONNRESET' }) }))).toBe(true);
  expect(isUnavailable(new TypeError('Cannot read properties of undefined'))).toBe(false);
  expect(isUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
  expect(isUnavailable(undefined)).toBe(false);
});

test('the provider hears an outage as temporarily_unavailable (503), anything else unchanged', () => {
  const outage = asProviderError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }));
  expect(outage).toBeInstanceOf(errors.TemporarilyUnavailable);
  expect(outage).toMatchObject({ error: 'temporarily_unavailable', statusCode: 503, expose: true });
  const bug = new TypeError('bug');
  expect(asProviderError(bug)).toBe(bug);
});
