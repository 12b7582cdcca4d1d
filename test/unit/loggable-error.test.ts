import { describe, expect, test } from '@jest/globals';
import { AppError } from '../../src/errors/index.js';
import { loggableError } from '../../src/observability/loggable-error.js';

/** Shaped like pg's DatabaseError after knex prefixed the query to its message. */
class DatabaseError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'error';
  }
}

describe('loggableError', () => {
  test('a driver error keeps its class and SQLSTATE; message and message line of the stack are dropped', () => {
    const fields = loggableError(new DatabaseError('select * from "clients" where "client_id" = $1 - invalid byte sequence', '22021'));
    expect(fields).toMatchObject({ name: 'DatabaseError', code: '22021' });
    expect(fields).not.toHaveProperty('message');
    expect(JSON.stringify(fields)).not.toMatch(/select|clients|invalid byte/);
    expect(fields.frames).toMatch(/^\s+at /);
  });

  test('a programming error of our own code keeps its message; a Node error with a code does not', () => {
    expect(loggableError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toMatchObject({ name: 'TypeError', message: expect.stringContaining('reading') });
    const nodeError = Object.assign(new TypeError('The "path" argument must be of type string. Received secret-value'), { code: 'ERR_INVALID_ARG_TYPE' });
    expect(loggableError(nodeError)).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    expect(JSON.stringify(loggableError(nodeError))).not.toContain('secret-value');
  });

  test('domain errors keep their own message; plain errors and non-errors keep none', () => {
    expect(loggableError(new AppError('mail_unavailable'))).toMatchObject({ code: 'mail_unavailable', message: 'mail_unavailable' });
    expect(loggableError(new Error('connect ECONNREFUSED 10.0.0.5:5432'))).not.toHaveProperty('message');
    expect(loggableError('a string with a token')).toEqual({ name: 'string' });
  });
});
