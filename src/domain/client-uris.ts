/**
 * The rules for the URIs a client registers (redirect, post-logout redirect, back-channel
 * logout), shared by pforte's client service and the provider's own metadata check so a
 * client can never be stored or loaded with a URI the other would refuse (SPEC 6).
 */

const IPV4_LOOPBACK = /^127(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** localhost, 127.0.0.0/8 and [::1]: the only hosts a plain-http URI may name (RFC 8252 7.3). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || IPV4_LOOPBACK.test(hostname);
}

/**
 * Why `value` may not be registered as a client URI, or undefined when it may: an absolute
 * https URL (http only on loopback), without wildcards, fragment or user:password@.
 * Redirect URIs match exactly, so a `*` would never match anything a relying party sends;
 * it is refused so nobody believes it is a pattern.
 */
export function clientUriProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute https URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an absolute https URL';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return 'must use https (http only for localhost, 127.0.0.0/8 or [::1])';
  if (value.includes('*') || url.href.includes('*')) return 'must not contain wildcards (*): URIs are matched exactly';
  if (value.includes('#')) return 'must not contain a fragment (#)';
  if (url.username !== '' || url.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value)) return 'must not contain user information (user:password@)';
  return undefined;
}
