import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { ValidationError } from '../errors/index.js';

export interface RegistrationRules {
  /** pforte's metadata for the client, or a ValidationError keyed by RFC 7591 field names. */
  metadata(clientId: string, requested: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Uses an initial access token up; false when another registration was first. */
  consumeInitialAccessToken(token: string): Promise<boolean>;
}

/** What the provider itself sets on a registered client and the rules must leave alone. */
const PROVIDER_SET = ['client_id', 'client_secret', 'client_secret_expires_at', 'client_id_issued_at'];

/**
 * The registration policy (oidc-provider `features.registration.policies`): replaces what
 * the relying party asked for with what the client service's rules make of it, answers
 * refusals in RFC 7591 form, and uses the initial access token up only when the
 * registration is valid, so a refused request changes nothing.
 */
export function createRegistrationPolicy(rules: RegistrationRules) {
  return async (ctx: KoaContextWithOIDC, properties: Record<string, unknown>): Promise<void> => {
    let metadata: Record<string, unknown>;
    try {
      metadata = await rules.metadata(properties.client_id as string, properties);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const [field, problem] = Object.entries(error.problems)[0]!;
      const description = `${field} ${problem}`;
      throw field === 'redirect_uris' ? new errors.InvalidRedirectUri(description) : new errors.InvalidClientMetadata(description);
    }
    const iat = ctx.oidc.entities.InitialAccessToken as { jti: string } | undefined;
    if (ctx.method === 'POST' && (!iat || !(await rules.consumeInitialAccessToken(iat.jti)))) {
      throw new errors.InvalidToken('initial access token already used');
    }
    for (const key of Object.keys(properties)) if (!PROVIDER_SET.includes(key)) delete properties[key];
    Object.assign(properties, metadata, { client_id: properties.client_id });
  };
}
