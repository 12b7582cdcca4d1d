import { ACR_VALUES, acrRank, isAcr, type Acr } from '../domain/assurance.js';
import type { InteractionContext } from './context.js';

/**
 * What this authorization request asks for: `minimum` is binding (the client's minimum);
 * `wanted` adds a voluntary `acr_values` request the client may use (unknown values are
 * ignored) or the client's default.
 */
export function requiredAcr({ details, clientMetadata }: InteractionContext): { wanted: Acr; minimum: Acr } {
  const allowed = (clientMetadata.allowed_acr_values as string[] | undefined) ?? [...ACR_VALUES];
  const minimum = isAcr(clientMetadata.min_acr) ? clientMetadata.min_acr : 'urn:pforte:loa:1';
  const defaults = clientMetadata.default_acr_values as string[] | undefined;
  const requested = typeof details.params.acr_values === 'string'
    ? details.params.acr_values.split(' ').slice(0, 20).find((v): v is Acr => isAcr(v) && allowed.includes(v))
    : undefined;
  const wanted = requested ?? (isAcr(defaults?.[0]) ? defaults![0] : minimum);
  return { wanted: acrRank(wanted) >= acrRank(minimum) ? wanted : minimum, minimum };
}
