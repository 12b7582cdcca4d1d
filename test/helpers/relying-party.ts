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
    config: await configureRelyingParty(app, created.client_id, created.client_secret),
  };
}

export async function configureRelyingParty(app: TestApp, clientId: string, clientSecret?: string): Promise<oidc.Configuration> {
  const config = await oidc.discovery(
    new URL(app.url),
    clientId,
    clientSecret,
    clientSecret ? undefined : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
  // Verify ID token signatures against the provider's JWKS, not only the claims.
  oidc.enableNonRepudiationChecks(config);
  return config;
}
