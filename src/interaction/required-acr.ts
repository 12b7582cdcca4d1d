import { readAssuranceRequest, type AssuranceRequest } from '../domain/assurance-request.js';
import type { InteractionContext } from './context.js';

/** The assurance this interaction's authorization request asks for (see readAssuranceRequest). */
export function requiredAcr({ details, clientMetadata }: InteractionContext): AssuranceRequest {
  return readAssuranceRequest(clientMetadata, details.params.acr_values, details.params.claims);
}
