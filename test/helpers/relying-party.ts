import * as oidc from 'openid-client';
import type { ClientInput } from '../../src/domain/clients.js';
import type { TestApp } from './test-app.js';

export interface RelyingParty {
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  config: oidc.Configuration;
}

export const REDIRECT_URI = 'https://rp.example.test/callback';

/** Registers a client the way an administrator would and configures openid-client for it. */
export async function registerRelyingParty(app: TestApp, input: Partial<ClientInput> = {}): Promise<RelyingParty> {
  const created = await app.services.clients.create({
    name: `rp-${Math.random().toString(36).slice(2)}`,
    redirectUris: [REDIRECT_URI],
    postLogoutRedirectUris: ['https://rp.example.test/logged-out'],
    firstParty: true,
    ...input,
  });
  return {
    clientId: created.client_id,
    clientSecret: created.client_secret,
    redirectUri: (input.redirectUris ?? [REDIRECT_URI])[0]!,
    config: await configureRelyingParty(app, created.client_id, created.client_secret, created.metadata.token_endpoint_auth_method as string),
  };
}

/** openid-client authenticating the way the client is registered (pforte refuses any other). */
export function clientAuthentication(clientSecret: string | undefined, method = 'client_secret_basic'): oidc.ClientAuth {
  if (!clientSecret) return oidc.None();
  return method === 'client_secret_post' ? oidc.ClientSecretPost(clientSecret) : oidc.ClientSecretBasic(clientSecret);
}

export async function configureRelyingParty(app: TestApp, clientId: string, clientSecret?: string, authMethod?: string): Promise<oidc.Configuration> {
  const config = await oidc.discovery(
    new URL(app.url),
    clientId,
    clientSecret,
    clientAuthentication(clientSecret, authMethod),
    { execute: [oidc.allowInsecureRequests] },
  );
  // Verify ID token signatures against the provider's JWKS, not only the claims.
  oidc.enableNonRepudiationChecks(config);
  return config;
}
