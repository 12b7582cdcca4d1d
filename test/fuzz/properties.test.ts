import { describe, expect, test } from '@jest/globals';
import { leaksIn, violations, type FuzzResponse } from './harness.js';

/** The fuzz suite's checks must catch what they claim to, and stay quiet on ordinary pages. */

const response = (overrides: Partial<FuzzResponse>): FuzzResponse => ({ status: 200, headers: new Headers(), text: '', logLines: [], ...overrides });

describe('fuzz properties', () => {
  test('catch driver text, SQL and stack frames as Postgres, knex and Node write them', () => {
    const pgError = 'select * from "clients" where "client_id" = $1 limit $2 - invalid byte sequence for encoding "UTF8": 0x00';
    expect(leaksIn(pgError)).toEqual(expect.arrayContaining(['SQL', 'Postgres message']));
    expect(leaksIn('insert into "audit_events" ("detail") values ($1)')).toContain('SQL');
    expect(leaksIn('error: invalid input syntax for type uuid: "x"')).toContain('Postgres message');
    expect(leaksIn('Error: x\n    at Object.find (/app/dist/src/store/pg/clients-repo.js:12:7)')).toContain('stack frame');
    expect(leaksIn('at async Promise.all (index 0) at file:///app/node_modules/knex/lib/runner.js:1:2')).toContain('driver name');
    expect(leaksIn('connect ECONNREFUSED 127.0.0.1:5432')).toContain('connection error');
    expect(leaksIn("TypeError: Cannot read properties of undefined (reading 'x')")).toContain('JavaScript error');
  });

  test('stay quiet on pforte pages and JSON errors', () => {
    expect(leaksIn('<label for="email">Email address</label><select name="x"></select> from your account')).toEqual([]);
    expect(leaksIn('{"error":"invalid_request","error_description":"\'scope\' parameter must not be provided twice"}')).toEqual([]);
    expect(leaksIn('{"level":30,"service":"pforte","method":"POST","path":"/interaction/abc/password","status":400,"msg":"request"}')).toEqual([]);
  });

  test('flag a 5xx, a raw marker in the body or a header, and leaks in the log', () => {
    expect(violations(response({ status: 503 }))).toEqual(['status 503']);
    expect(violations(response({ text: '<p>&lt;x-fuzz-1&gt;</p>' }))).toEqual([]);
    expect(violations(response({ text: '<p><x-fuzz-1></p>' }))).toEqual(['input reflected unescaped in the body']);
    expect(violations(response({ headers: new Headers({ location: '/x?<x-fuzz-1>' }) }))).toEqual(['input reflected unescaped in header location']);
    expect(violations(response({ logLines: ['{"msg":"syntax error at or near \\"x\\""}'] }))[0]).toMatch(/^Postgres message in the log/);
  });
});
