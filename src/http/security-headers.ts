import type { Middleware } from 'koa';

const CSP_HEADER = 'Content-Security-Policy';
/** `ctx.state` flag of a non-HTML response that sets a policy of its own (an SVG logo). */
export const OWN_CSP = 'hasOwnCsp';

/** No inline script of pforte's own: the one script its pages need is a served file. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy([]);

function contentSecurityPolicy(scriptHashes: string[]): string {
  return [
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    ["script-src 'self'", ...scriptHashes].join(' '),
    "base-uri 'none'",
    "object-src 'none'",
    // Pages that ask for credentials must never be framed (clickjacking).
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers for every response; HTML is never cached because it may show personal data. */
export function securityHeaders({ isHttps }: { isHttps: boolean }): Middleware {
  return async (ctx, next) => {
    // Set before the response is built: oidc-provider adds the sha256 of an inline script
    // it renders to the CSP it finds, so its auto-submit page still works should
    // provider-pages.ts not replace it. Those hashes are all it may add.
    ctx.set(CSP_HEADER, CONTENT_SECURITY_POLICY);
    await next();
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    if (isHttps) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    if (ctx.response.is('html')) {
      const scriptHashes = String(ctx.response.get(CSP_HEADER)).match(/'sha256-[A-Za-z0-9+/]+={0,2}'/g) ?? [];
      ctx.set(CSP_HEADER, contentSecurityPolicy(scriptHashes));
      ctx.set('X-Frame-Options', 'DENY');
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Pragma', 'no-cache');
    } else if (!ctx.state[OWN_CSP]) {
      ctx.remove(CSP_HEADER);
    }
  };
}
