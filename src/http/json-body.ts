import type { Context } from 'koa';
import { AppError } from '../errors/index.js';

/** SPEC 6: a JSON body over 1 MiB is refused with 413. */
export const MAX_JSON_BYTES = 1024 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A strict JSON request body: `application/json` only (else 415), at most `maxBytes`
 * (413, counted while reading, so a lying Content-Length changes nothing), valid UTF-8 and
 * valid JSON (400), and no object with the same key twice (400): JSON.parse keeps the last
 * value silently, so what a proxy or an audit log read and what pforte acts on could differ.
 */
export async function parseJsonBody(ctx: Context, maxBytes = MAX_JSON_BYTES): Promise<unknown> {
  if (!ctx.request.is('application/json')) throw new AppError('unsupported_media_type', { message: 'the body must be application/json' });
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > maxBytes) throw new AppError('payload_too_large', { message: `the body must be at most ${maxBytes} bytes` });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new AppError('payload_too_large', { message: `the body must be at most ${maxBytes} bytes` });
    chunks.push(chunk as Buffer);
  }
  let text: string;
  try {
    text = utf8.decode(Buffer.concat(chunks));
  } catch {
    throw new AppError('bad_request', { message: 'the body is not valid UTF-8' });
  }
  return parseStrictJson(text);
}

/** JSON.parse, refusing duplicate keys; every refusal is `bad_request`. */
export function parseStrictJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('bad_request', { message: 'the body is not valid JSON' });
  }
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== undefined) throw new AppError('bad_request', { message: `the key "${duplicate.slice(0, 100)}" appears twice in one object` });
  return value;
}

/** Far deeper than any body pforte takes; deeper nesting is refused before anything walks it. */
export const MAX_JSON_DEPTH = 64;

/**
 * The first key that appears twice in one object of `text`, which must be valid JSON (so
 * this scanner only needs to tell strings, and keys among them, from the rest). Keys are
 * compared decoded: `"a"` and `"\u0061"` are the same key. Nesting deeper than
 * MAX_JSON_DEPTH is a `bad_request`.
 */
export function firstDuplicateKey(text: string): string | undefined {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const open: Array<Set<string> | null> = [];
  // Inside an object, a string is a key when it follows `{` or `,`.
  let expectKey = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const keys = open[open.length - 1];
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      expectKey = false;
      i = end;
    } else if (ch === '{' || ch === '[') {
      if (open.length >= MAX_JSON_DEPTH) throw new AppError('bad_request', { message: `the body nests deeper than ${MAX_JSON_DEPTH} levels` });
      open.push(ch === '{' ? new Set() : null);
      expectKey = ch === '{';
    } else if (ch === '}' || ch === ']') {
      open.pop();
      expectKey = false;
    } else if (ch === ',') {
      expectKey = open[open.length - 1] instanceof Set;
    }
  }
  return undefined;
}
