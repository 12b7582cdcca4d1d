import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { firstDuplicateKey, parseStrictJson } from '../../src/http/json-body.js';

describe('strict JSON bodies', () => {
  test('finds a key twice in one object, at any depth, also when escaped differently', () => {
    expect(firstDuplicateKey('{"a":1,"a":2}')).toBe('a');
    expect(firstDuplicateKey('{"x":[{"b":1},{"b":2,"c":{"d":1,"d":1}}]}')).toBe('d');
    expect(firstDuplicateKey('{"a":1,"\\u0061":2}')).toBe('a');
    expect(firstDuplicateKey('{"a\\"":"a","a\\"":1}')).toBe('a"');
  });

  test('the same key in different objects, and keys that look like values, are no duplicates', () => {
    expect(firstDuplicateKey('[{"a":1},{"a":2}]')).toBeUndefined();
    expect(firstDuplicateKey('{"a":{"a":{"a":1}}}')).toBeUndefined();
    expect(firstDuplicateKey('{"a":"b","b":["a","a"],"c":"{\\"a\\":1,\\"a\\":2}"}')).toBeUndefined();
  });

  test('any JSON.stringify output has no duplicate; adding a key that exists makes one', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(firstDuplicateKey(text)).toBeUndefined();
        expect(parseStrictJson(text)).toEqual(JSON.parse(text));
      }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), (object) => {
        const key = Object.keys(object)[0]!;
        const text = JSON.stringify(object);
        const doubled = `${text.slice(0, -1)},${JSON.stringify(key)}:null}`;
        expect(firstDuplicateKey(doubled)).toBe(key);
        expect(() => parseStrictJson(doubled)).toThrow(expect.objectContaining({ code: 'bad_request' }));
      }),
    );
  });

  test('malformed JSON is bad_request, never anything else', () => {
    for (const text of ['', '{', '{"a":}', "{'a':1}", '[1,]', 'NaN', '{"a":1}}', `${'['.repeat(500_000)}${']'.repeat(500_000)}`, `${'{"a":'.repeat(65)}1${'}'.repeat(65)}`]) {
      expect(() => parseStrictJson(text)).toThrow(expect.objectContaining({ code: 'bad_request' }));
    }
  });
});
