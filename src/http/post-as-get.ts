import type { Middleware } from 'koa';
import { parseFormFields } from './form-body.js';

/** Room for an ID token hint or a claims request while the URL it becomes still fits a request head. */
const MAX_POSTED_FORM_BYTES = 8 * 1024;

/**
 * POST at the authorization and end-session endpoints (OpenID Connect Core 3.1.2.1,
 * RP-Initiated Logout 2), answered with a 303 to the same endpoint carrying the form as
 * its query. oidc-provider's own POST support (`enableHttpPostMethods`) demands
 * SameSite=None session cookies, since a cross-site POST does not carry a Lax cookie and
 * the provider would not see who is signed in. The browser's top-level GET after the 303
 * does carry it, and the provider then checks the request exactly as it checks a GET.
 */
export function acceptPostAsGet(paths: readonly string[]): Middleware {
  const accepted = new Set(paths);
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || !accepted.has(ctx.path)) return next();
    // Strict parsing: a body that is no clean form is a 400 page, never a repaired request.
    const fields = await parseFormFields(ctx, MAX_POSTED_FORM_BYTES);
    ctx.status = 303;
    ctx.redirect(`${ctx.path}?${new URLSearchParams(fields).toString()}`);
  };
}
