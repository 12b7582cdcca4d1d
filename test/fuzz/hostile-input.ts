import fc from 'fast-check';

/**
 * What a hostile browser or relying party sends, as fast-check arbitraries. Values come
 * out already percent-encoded (an "encoded value"), because half the attack is in the
 * encoding: invalid UTF-8 and malformed escapes only exist on the wire.
 */

/** A marker that must never come back unescaped; responses are checked for `<x-fuzz-`. */
export const REFLECTION_MARKER = '<x-fuzz-';
const marker = fc.nat({ max: 999_999 }).map((n) => `${REFLECTION_MARKER}${n}>`);

const htmlMetacharacters = marker.chain((m) =>
  fc.constantFrom(m, `"${m}`, `'>${m}`, `"><${m.slice(1)}`, `</textarea>${m}`, `</title>${m}`, `javascript:${m}`, `${m}<!--`, `<%= ${m} %>`, `\${${m}}`, `{{${m}}}`),
);

/** SQL metacharacters; on purpose no "select … from" or "insert into", which the leak check looks for. */
const sqlMetacharacters = fc.constantFrom(
  "'", "''", '"', '\\', "' OR '1'='1", "' OR 1=1 --", "'; DROP TABLE accounts; --", '" OR ""="', "admin'--", "') OR ('a'='a",
  '1; SELECT pg_sleep(10)', "' UNION SELECT NULL --", '$1', '%', '_', "E'\\\\x00'", '`', '/*', '*/', ';', '\\x00',
);

const unicodeOddities = fc.constantFrom(
  '\u202E', '\u200B', '\uFEFF', '\u2028', '\u2029', '\u0085', 'e\u0301', 'İ', 'ß', 'ﬀ', '＜ｘ＞', '👨‍👩‍👧', '\uD800', '\uDFFF',
  '\uFFFF', '\uFFFE', '\u{10FFFF}', 'Ⅻ', '٣', '\u00A0', 'Å', 'K', '\u0130\u0131', '\uFF05\uFF10\uFF10',
);

const controlCharacters = fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 4 })
  .chain((s) => fc.constantFrom(s, `${s}\u007f`, `a${s}b`));

const nulBytes = fc.constantFrom('\0', 'a\0', '\0a', 'a\0b', '\0\0\0', 'openid\0profile', 'https://rp.example.test/callback\0');

const hugeNumbers = fc.oneof(
  fc.constantFrom('9'.repeat(400), '1e309', '-1', '0', '-0', 'NaN', 'Infinity', '-Infinity', '18446744073709551616', '9007199254740993',
    '0x7fffffff', '1e-400', '00000000001', '1.5', '１２３'),
  fc.bigInt({ min: -(2n ** 256n), max: 2n ** 256n }).map(String),
);

/** Overlong values: past every field limit, some past the body limit (16 KiB). */
const overlong = fc.tuple(fc.constantFrom('a', 'é', '<', '%', '€', '𝄞', '0'), fc.integer({ min: 65, max: 20_000 })).map(([c, n]) => c.repeat(n));

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
);

const oneHostile = fc.oneof(htmlMetacharacters, sqlMetacharacters, unicodeOddities, controlCharacters, nulBytes, hugeNumbers, anyText);

/** One hostile value as text (before encoding). */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: oneHostile },
  { weight: 1, arbitrary: overlong },
  { weight: 3, arbitrary: fc.array(oneHostile, { minLength: 2, maxLength: 4 }).map((parts) => parts.join('')) },
);

const hex = (b: number) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`;

/** Percent-encodes every UTF-8 byte outside the unreserved set (lone surrogates become U+FFFD). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out += /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : hex(byte);
  }
  return out;
}

const invalidUtf8 = fc.constantFrom('%C3%28', '%A0%A1', '%E2%28%A1', '%F0%28%8C%BC', '%C0%AF', '%C0%80', '%ED%A0%80', '%F8%88%80%80%80', '%FF', '%FE%FF', '%F4%90%80%80', '%EF%BB');
const rawBytes = fc.uint8Array({ minLength: 1, maxLength: 12 }).map((bytes) => [...bytes].map(hex).join(''));
const malformedEscapes = fc.constantFrom('%', '%%', '%G1', '%2', '%u0041', '%%41', '100%', '%0', '%zz');

/** A hostile value as it goes on the wire in a query string or urlencoded body. */
export const encodedValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: hostileText.map(percentEncode) },
  { weight: 2, arbitrary: fc.tuple(anyText.map(percentEncode), invalidUtf8, anyText.map(percentEncode)).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: rawBytes },
  { weight: 1, arbitrary: fc.tuple(marker.map(percentEncode), malformedEscapes).map(([m, e]) => m + e) },
  // Sent as typed: spaces, plus signs and `<` unescaped (the server decodes `+` itself).
  { weight: 1, arbitrary: hostileText.map((t) => t.replace(/[&=#%\r\n]/g, (c) => hex(c.charCodeAt(0)))) },
);

/** Values of one request's JSON body: arrays and objects where strings are expected. */
const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.array(hostileText, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('a', 'b', '__proto__', 'constructor', '$ne', 'toString'), hostileText, { maxKeys: 2 }),
  fc.constantFrom(null, true, false, 0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, {}, [], [[]], { $gt: '' }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Field names: the form's own, array and object syntax on them, prototype names, hostile ones. */
function fieldName(known: readonly string[]): fc.Arbitrary<string> {
  const own = fc.constantFrom(...known);
  return fc.oneof(
    { weight: 4, arbitrary: own },
    { weight: 2, arbitrary: own.chain((n) => fc.constantFrom(`${n}[]`, `${n}[0]`, `${n}[b]`, `${n}[__proto__]`, `${n}.x`)) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '__proto__[x]', 'a[b][c][d][e][f]', '') },
    { weight: 1, arbitrary: encodedValue.map((v) => v.slice(0, 200)) },
  );
}

type Pair = readonly [name: string, encoded: string];
const joinPairs = (pairs: readonly Pair[]) => pairs.map(([n, v]) => `${n}=${v}`).join('&');

export interface ParameterSet {
  /** Encoded `a=1&b=2`, for a query string or an urlencoded body. */
  encoded: string;
  /** Set when the parameters are a JSON document instead. */
  json?: string;
  /** What was done to the valid parameters, to read a counterexample quickly. */
  shape: string;
}

/**
 * Parameters around a valid set: one field fuzzed (so the request gets past the first
 * validation), fields dropped, added, repeated, renamed to `a[]`/`a[b]`, or all as JSON.
 */
export function parameterSet(valid: Record<string, string>, extraNames: readonly string[] = []): fc.Arbitrary<ParameterSet> {
  // A form without fields (a button) still gets fields thrown at it.
  const names = [...new Set([...Object.keys(valid), ...extraNames, 'x'])];
  const validPairs: Pair[] = Object.entries(valid).map(([n, v]) => [n, percentEncode(v)]);
  const oneFieldFuzzed = fc.tuple(fc.constantFrom(...names), encodedValue).map(([name, value]) => ({
    encoded: joinPairs([...validPairs.filter(([n]) => n !== name), [name, value]]),
    shape: `one field fuzzed: ${name}`,
  }));
  const restructured = fc.tuple(
    fc.subarray(validPairs),
    fc.array(fc.tuple(fieldName(names), fc.oneof(encodedValue, fc.constantFrom(...validPairs.map(([, v]) => v), ''))), { maxLength: 4 }),
    fc.constantFrom('&', '&&', ';', '&amp;'),
    fc.boolean(),
  ).map(([kept, added, separator, withoutEquals]) => ({
    encoded: [...kept, ...added].map(([n, v]) => (withoutEquals && v === '' ? n : `${n}=${v}`)).join(separator),
    shape: 'fields dropped, added or repeated',
  }));
  const repeated = fc.tuple(fc.constantFrom(...(validPairs.length > 0 ? validPairs : [['x', 'y'] as Pair])), fc.option(encodedValue, { nil: undefined })).map(([[name, value], other]) => ({
    encoded: joinPairs([...validPairs, [name, other ?? value]]),
    shape: `repeated: ${name}`,
  }));
  const asJson = fc.dictionary(fc.constantFrom(...names), jsonValue, { minKeys: 1, maxKeys: names.length }).map((doc) => ({
    encoded: joinPairs(Object.entries(doc).map(([n, v]) => [n, percentEncode(JSON.stringify(v) ?? '')])),
    json: JSON.stringify({ ...valid, ...doc }),
    shape: 'json',
  }));
  return fc.oneof(
    { weight: 5, arbitrary: oneFieldFuzzed },
    { weight: 3, arbitrary: restructured },
    { weight: validPairs.length > 0 ? 1 : 0, arbitrary: repeated },
    { weight: 1, arbitrary: asJson },
  );
}

/** Content types a body arrives with: right, wrong, absent, malformed. */
export const WRONG_CONTENT_TYPES = [
  'text/plain', 'application/json', 'multipart/form-data; boundary=----fuzz', 'application/xml', 'application/x-www-form-urlencoded; charset=utf-16',
  'application/x-www-form-urlencoded, application/json', 'x/y;;;=', `application/${'x'.repeat(3000)}`, '*/*', 'application/jwt',
] as const;

export interface BodyVariant {
  contentType?: string;
  body: string;
  shape: string;
}

/** A POST body for a form or an endpoint that expects application/x-www-form-urlencoded. */
export function formBody(valid: Record<string, string>, extraNames: readonly string[] = []): fc.Arbitrary<BodyVariant> {
  const params = parameterSet(valid, extraNames);
  const form = 'application/x-www-form-urlencoded';
  return fc.oneof(
    { weight: 8, arbitrary: params.map((p) => (p.json ? { contentType: 'application/json', body: p.json, shape: p.shape } : { contentType: form, body: p.encoded, shape: p.shape })) },
    { weight: 1, arbitrary: params.map((p) => ({ contentType: form, body: p.json ?? `{"${p.encoded}"}`, shape: `json as form (${p.shape})` })) },
    { weight: 2, arbitrary: fc.tuple(params, fc.option(fc.constantFrom(...WRONG_CONTENT_TYPES), { nil: undefined })).map(([p, contentType]) => ({ contentType, body: p.json ?? p.encoded, shape: `content type ${contentType ?? 'absent'}` })) },
    { weight: 1, arbitrary: fc.constantFrom('', '&', '=', '==&==', '%', 'a'.repeat(17_000), `x=${'%41'.repeat(6000)}`).map((body) => ({ contentType: form, body, shape: 'degenerate body' })) },
  );
}

/**
 * Bodies every pforte form refuses before it looks at a field: repeated fields, invalid
 * UTF-8, control characters, bad escapes, wrong content types, oversize.
 */
export function malformedFormBody(valid: Record<string, string>): fc.Arbitrary<BodyVariant> {
  const pairs: Pair[] = Object.entries(Object.keys(valid).length > 0 ? valid : { x: 'y' }).map(([n, v]) => [n, percentEncode(v)]);
  const form = 'application/x-www-form-urlencoded';
  const field = fc.constantFrom(...pairs.map(([n]) => n));
  const withField = (name: string, value: string) => joinPairs([...pairs.filter(([n]) => n !== name), [name, value]]);
  return fc.oneof(
    fc.tuple(field, fc.oneof(invalidUtf8, rawBytes.filter((v) => !isValidUtf8(v)))).map(([n, v]) => ({ contentType: form, body: withField(n, v), shape: `invalid UTF-8 in ${n}` })),
    fc.tuple(field, controlCharacters.filter((c) => /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(c))).map(([n, c]) => ({ contentType: form, body: withField(n, percentEncode(c)), shape: `control character in ${n}` })),
    fc.tuple(field, malformedEscapes).map(([n, e]) => ({ contentType: form, body: withField(n, e), shape: `bad escape in ${n}` })),
    fc.tuple(field, encodedValue).map(([n, v]) => ({ contentType: form, body: `${joinPairs(pairs)}&${n}=${v}`, shape: `repeated ${n}` })),
    fc.constantFrom(...WRONG_CONTENT_TYPES.filter((t) => !t.startsWith('application/x-www-form-urlencoded'))).map((contentType) => ({ contentType, body: joinPairs(pairs), shape: `content type ${contentType}` })),
    fc.constant({ body: joinPairs(pairs), shape: 'no content type' }),
    fc.constant({ contentType: form, body: `${joinPairs(pairs)}&pad=${'a'.repeat(17_000)}`, shape: 'oversize' }),
  );
}

function isValidUtf8(encoded: string): boolean {
  try {
    decodeURIComponent(encoded);
    return true;
  } catch {
    return false;
  }
}
