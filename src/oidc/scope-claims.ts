/** Claims each scope releases (SPEC 5); the ID token carries them too. */
export const SCOPE_CLAIMS = {
  openid: ['sub', 'acr', 'amr', 'auth_time'],
  email: ['email', 'email_verified'],
  profile: ['name'],
  roles: ['roles'],
  org: ['org', 'orgs'],
  agent: ['agent_number'],
} as const;

/** Claims a client may receive: those of the scopes it is registered for. */
export function claimsOfScopes(scopes: readonly string[]): Set<string> {
  return new Set(scopes.flatMap((scope) => [...((SCOPE_CLAIMS as Record<string, readonly string[]>)[scope] ?? [])]));
}
