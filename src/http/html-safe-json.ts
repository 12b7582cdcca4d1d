import { Stream } from 'node:stream';
import type { Middleware } from 'koa';

const HTML_METACHARACTERS = /[<>&\u2028\u2029]/g;
const unicodeEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON answers are written with `<`, `>`, `&` (and the JavaScript line separators) as
 * `\u` escapes, as Go's encoding/json does. oidc-provider echoes requested scopes in its
 * error bodies, and a scope token may contain `<` and `>`; escaped, no JSON answer can carry
 * markup, whatever reads it. The escapes parse to the same value, so clients see no change.
 */
export function htmlSafeJson(): Middleware {
  return async (ctx, next) => {
    await next();
    const { body } = ctx;
    if (body === null || typeof body !== 'object' || Buffer.isBuffer(body) || body instanceof Stream || body instanceof Uint8Array) return;
    const type = ctx.response.get('Content-Type');
    ctx.body = JSON.stringify(body).replace(HTML_METACHARACTERS, unicodeEscape);
    ctx.type = typeof type === 'string' && type ? type : 'application/json; charset=utf-8';
  };
}
