import type { Context } from 'koa';
import { AppError } from '../errors/index.js';

const MAX_FORM_BYTES = 16 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Strict application/x-www-form-urlencoded parser for the hosted pages. Written here
 * (not co-body) because it must refuse what libraries silently repair: invalid UTF-8,
 * malformed percent escapes, repeated fields and oversized bodies all become a 400.
 */
export async function parseForm(ctx: Context, maxBytes = MAX_FORM_BYTES): Promise<Record<string, string>> {
  const form: Record<string, string> = Object.create(null);
  for (const [name, value] of await parseFormFields(ctx, maxBytes)) {
    if (name in form) throw new AppError('bad_request');
    form[name] = value;
  }
  return form;
}

/** Every field in order, repeats kept: for OAuth requests, whose rules on repeats are the provider's. */
export async function parseFormFields(ctx: Context, maxBytes = MAX_FORM_BYTES): Promise<Array<[string, string]>> {
  if (!ctx.request.is('application/x-www-form-urlencoded')) throw new AppError('bad_request');
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > maxBytes) throw new AppError('payload_too_large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new AppError('payload_too_large');
    chunks.push(chunk as Buffer);
  }
  const fields: Array<[string, string]> = [];
  const raw = Buffer.concat(chunks).toString('latin1');
  for (const pair of raw.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    fields.push([decodeField(eq === -1 ? pair : pair.slice(0, eq)), decodeField(eq === -1 ? '' : pair.slice(eq + 1))]);
  }
  return fields;
}

function decodeField(encoded: string): string {
  const bytes: number[] = [];
  const text = encoded.replace(/\+/g, ' ');
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charCodeAt(i);
    if (ch === 0x25) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new AppError('bad_request');
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(ch);
    }
  }
  try {
    const decoded = utf8.decode(Uint8Array.from(bytes));
    // Control characters have no place in any form field of ours.
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(decoded)) throw new Error('control character');
    return decoded;
  } catch {
    throw new AppError('bad_request');
  }
}
