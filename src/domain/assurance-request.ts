import { ACR_VALUES, acrRank, isAcr, type Acr } from './assurance.js';

/** The client's acr policy (pforte's extra client metadata). */
export interface ClientAcrPolicy {
  allowed_acr_values?: unknown;
  default_acr_values?: unknown;
  min_acr?: unknown;
}

/** What one authorization request asks for, before anything is proven. */
export interface AssuranceRequest {
  /** Binding: the client's minimum, raised by an essential `acr` claim. */
  minimum: Acr;
  /** What to aim for: a voluntary `acr_values` entry the client may use, or the default. */
  wanted: Acr;
  /** An essential `acr` claim was made (failure then ends the request, SPEC 3). */
  isEssential: boolean;
  /** An essential `acr` claim names no level pforte can reach for this client. */
  isUnreachable: boolean;
  /** The `acr` claim request has a `value` that is not a string or `values` that are not a list. */
  isMalformed: boolean;
}

const MAX_VALUES = 20;

/**
 * The interaction result of a journey that could add no factor (a step-up beyond what
 * the method can prove): the provider then settles for the minimum instead of asking again.
 */
export const NOTHING_TO_ADD = 'pforte_nothing_to_add';

function parseClaims(claims: unknown): unknown {
  if (typeof claims !== 'string') return claims;
  try {
    return JSON.parse(claims);
  } catch {
    return undefined; // the provider refuses a malformed claims parameter before this
  }
}

type AcrRequest = { essential?: unknown; value?: unknown; values?: unknown } | null | undefined;

function acrClaimRequest(rawClaims: unknown): AcrRequest {
  return (parseClaims(rawClaims) as { id_token?: { acr?: AcrRequest } } | undefined)?.id_token?.acr;
}

function isMalformedAcrRequest(acr: AcrRequest): boolean {
  if (acr === null || acr === undefined) return false;
  if (typeof acr !== 'object') return true;
  return (acr.value !== undefined && typeof acr.value !== 'string') || (acr.values !== undefined && !Array.isArray(acr.values));
}

function essentialAcrValues(acr: AcrRequest): string[] | undefined {
  if (!acr || acr.essential !== true) return undefined;
  if (typeof acr.value === 'string') return [acr.value];
  if (Array.isArray(acr.values)) return acr.values.slice(0, MAX_VALUES).filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * Reads `acr_values` (voluntary: unknown values and values the client may not use are
 * ignored, OpenID Connect Core 3.1.2.1) and an essential `acr` claim (binding) against
 * the client's policy. Of several acceptable values the lowest is enough. `claims` is the
 * request's claims parameter, as JSON text or parsed.
 */
export function readAssuranceRequest(policy: ClientAcrPolicy, acrValues: unknown, claims: unknown): AssuranceRequest {
  const allowed = Array.isArray(policy.allowed_acr_values) ? policy.allowed_acr_values.filter(isAcr) : [...ACR_VALUES];
  const clientMinimum: Acr = isAcr(policy.min_acr) ? policy.min_acr : 'urn:pforte:loa:1';
  const defaults = Array.isArray(policy.default_acr_values) ? policy.default_acr_values.filter(isAcr) : [];
  const atLeast = (a: Acr, b: Acr): Acr => (acrRank(a) >= acrRank(b) ? a : b);
  const lowest = (values: Acr[]) => values.reduce<Acr | undefined>((low, v) => (low && acrRank(low) <= acrRank(v) ? low : v), undefined);

  const acrRequest = acrClaimRequest(claims);
  const essential = essentialAcrValues(acrRequest);
  const essentialUsable = essential?.filter((v): v is Acr => isAcr(v) && allowed.includes(v)) ?? [];
  const essentialLevel = lowest(essentialUsable);
  const minimum = essentialLevel ? atLeast(essentialLevel, clientMinimum) : clientMinimum;

  const requested = typeof acrValues === 'string'
    ? lowest(acrValues.split(' ').slice(0, MAX_VALUES).filter((v): v is Acr => isAcr(v) && allowed.includes(v)))
    : undefined;
  const wanted = atLeast(requested ?? defaults[0] ?? clientMinimum, minimum);
  return {
    minimum,
    wanted,
    isEssential: essential !== undefined,
    isUnreachable: essential !== undefined && essentialLevel === undefined,
    isMalformed: isMalformedAcrRequest(acrRequest),
  };
}
