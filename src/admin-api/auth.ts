import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { ADMIN_SCOPE, isAdminClient } from '../domain/clients.js';
import type { Actor } from '../domain/policies/actor.js';
import { AppError } from '../errors/index.js';

/** The admin client acting, as the domain's actor and for the audit's `client_id`. */
export interface AdminCaller {
  clientId: string;
  actor: Actor;
}

export interface AdminAuthDeps {
  provider: Provider;
  /** The client's stored metadata (undefined once deleted): read per call, so a demotion counts at once. */
  clientMetadata(clientId: string): Promise<Record<string, unknown> | undefined>;
}

/** Opaque tokens of oidc-provider are 43 characters; anything far longer is not one of ours. */
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]{1,512}=*)$/i;
const REALM = 'realm="pforte-admin"';

/**
 * SPEC 6: a bearer access token from the client_credentials grant, issued by this provider
 * (looked up by the provider itself, so expired and revoked tokens are refused), carrying
 * `pforte:admin`, of a client that still exists and is still an admin client.
 * 401 without a valid token, 403 for a token without the scope or of another client.
 */
export async function authenticateAdmin(ctx: Context, { provider, clientMetadata }: AdminAuthDeps): Promise<AdminCaller> {
  const header = ctx.get('authorization');
  if (!header) {
    ctx.set('WWW-Authenticate', `Bearer ${REALM}, scope="${ADMIN_SCOPE}"`);
    throw new AppError('invalid_token', { message: 'a bearer access token is needed' });
  }
  const invalid = () => {
    ctx.set('WWW-Authenticate', `Bearer ${REALM}, error="invalid_token"`);
    return new AppError('invalid_token', { message: 'the access token is invalid or expired' });
  };
  const value = BEARER.exec(header)?.[1];
  if (!value) throw invalid();
  const token = await provider.ClientCredentials.find(value);
  if (!token?.clientId) throw invalid();
  const metadata = await clientMetadata(token.clientId);
  if (!metadata) throw invalid();
  const refuse = (code: 'insufficient_scope' | 'forbidden', message: string) => {
    ctx.set('WWW-Authenticate', `Bearer ${REALM}, error="insufficient_scope", scope="${ADMIN_SCOPE}"`);
    return new AppError(code, { message });
  };
  if (!(token.scope ?? '').split(' ').includes(ADMIN_SCOPE)) throw refuse('insufficient_scope', `the access token lacks the scope ${ADMIN_SCOPE}`);
  if (!isAdminClient(metadata)) throw refuse('forbidden', 'the client is not an admin client');
  return { clientId: token.clientId, actor: { kind: 'admin', id: `client:${token.clientId}` } };
}
