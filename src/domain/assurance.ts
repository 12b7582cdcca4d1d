/** pforte's own assurance ladder (SPEC 3); higher index means more proven. */
export const ACR_VALUES = ['urn:pforte:loa:0', 'urn:pforte:loa:1', 'urn:pforte:loa:2'] as const;
export type Acr = (typeof ACR_VALUES)[number];

export function isAcr(value: unknown): value is Acr {
  return typeof value === 'string' && (ACR_VALUES as readonly string[]).includes(value);
}

export function acrRank(acr: Acr): number {
  return ACR_VALUES.indexOf(acr);
}

/** Authentication methods (amr) as completed in a flow. */
export type Amr = 'pwd' | 'otp' | 'device';

/** acr is always derived from the methods actually completed, never stored on its own. */
export function acrFromAmr(amr: readonly string[]): Acr {
  const knowledge = amr.includes('pwd');
  const possession = amr.includes('otp') || amr.includes('device');
  if (knowledge && possession) return 'urn:pforte:loa:2';
  if (knowledge || possession) return 'urn:pforte:loa:1';
  return 'urn:pforte:loa:0';
}

/** The amr claim: methods in a stable order, plus `mfa` when two factors were proven. */
export function amrClaim(methods: readonly string[]): string[] {
  const ordered = (['pwd', 'otp', 'device'] as const).filter((m) => methods.includes(m));
  return acrFromAmr(ordered) === 'urn:pforte:loa:2' ? [...ordered, 'mfa'] : ordered;
}

/** Personal data a sign-in that proved nothing (loa:0) does not release. */
const PERSONAL_CLAIMS = ['email', 'email_verified', 'name'];

/**
 * The claims a token of this level may carry: at loa:0 the identity is only claimed (by
 * an agent number), so the account's personal data stays back; subject, agent number and
 * authorisation claims remain, for the relying party to restrict what it offers.
 */
export function claimsReleasableAt(acr: unknown, claims: Record<string, unknown>): Record<string, unknown> {
  if (acr !== 'urn:pforte:loa:0') return claims;
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !PERSONAL_CLAIMS.includes(name)));
}
