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
