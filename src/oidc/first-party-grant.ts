import type { KoaContextWithOIDC } from 'oidc-provider';
import { claimsOfScopes } from './scope-claims.js';

/**
 * First-party clients skip the consent page: their grant is created (or widened to what
 * this request asks) without asking. Everyone else keeps the grant they consented to,
 * so a step-up for the same client and scopes never asks for consent again.
 */
export async function loadExistingGrant(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const client = oidc.client!;
  const session = oidc.session!;
  const grantId = (oidc.result?.consent as { grantId?: string } | undefined)?.grantId ?? session.grantIdFor(client.clientId);
  const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (client.metadata().first_party !== true) return existing;

  const grant = existing ?? new oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId! });
  const before = existing ? grantedState(existing) : undefined;
  const clientScopes = client.scope?.split(' ') ?? [];
  const scopes = [...oidc.requestParamScopes].filter((scope) => clientScopes.includes(scope));
  grant.addOIDCScope(scopes.join(' '));
  // Single claims (claims parameter) only from the scopes this client is registered for.
  const permitted = claimsOfScopes(clientScopes);
  const requested = [...oidc.requestParamClaims].filter((claim) => !['sub', 'acr', 'amr', 'auth_time'].includes(claim));
  const claims = requested.filter((claim) => permitted.has(claim));
  const refused = requested.filter((claim) => !permitted.has(claim));
  if (claims.length > 0) grant.addOIDCClaims(claims);
  if (refused.length > 0) grant.rejectOIDCClaims(refused);
  // Saved only when new or changed: a save does not move a grant's end (it keeps its
  // remaining lifetime), so storing an unchanged grant again on every SSO would only cost
  // Redis round trips.
  if (grantedState(grant) !== before) await grant.save();
  return grant;
}

/** What a grant grants and refuses, comparable before and after widening it. */
function grantedState(grant: { openid?: unknown; rejected?: unknown; resources?: unknown; rar?: unknown }): string {
  return JSON.stringify([grant.openid, grant.rejected, grant.resources, grant.rar]);
}
