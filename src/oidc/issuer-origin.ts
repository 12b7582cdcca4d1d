import type Koa from 'koa';

/**
 * Every absolute URL pforte and oidc-provider build (discovery, jwks_uri, redirects, the
 * logout form's action) comes from Koa's request host, protocol and href. Those follow
 * the Host and X-Forwarded-* headers, so a forged header would poison any cache in front
 * of pforte. The issuer is the one origin pforte serves: pin them to it, for every request.
 * (Koa documents `app.request` as the prototype to extend; TRUST_PROXY still decides the
 * client IP.)
 */
export function pinRequestOriginToIssuer(app: Koa, issuer: string): void {
  const { host, protocol } = new URL(issuer);
  const scheme = protocol.slice(0, -1);
  Object.defineProperties(app.request, {
    host: { configurable: true, get: () => host },
    protocol: { configurable: true, get: () => scheme },
    // An absolute-form request target (GET http://elsewhere/path) keeps only its path.
    href: { configurable: true, get(this: Koa.Request) { return `${scheme}://${host}${pathAndQuery(this.originalUrl)}`; } },
    URL: { configurable: true, get(this: Koa.Request) { return URL.parse(this.href) ?? Object.create(null); } },
  });
}

function pathAndQuery(target: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return target;
  const url = URL.parse(target);
  return url ? `${url.pathname}${url.search}` : '/';
}
