import { randomBytes } from 'node:crypto';
import Provider, { errors, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/index.js';
import { ACR_VALUES, claimsReleasableAt } from '../domain/assurance.js';
import { REGISTRATION_POLICY } from '../domain/client-registration.js';
import { clientUriProblem } from '../domain/client-uris.js';
import { ADMIN_SCOPE, CLIENT_URI_PROPERTIES, EXTRA_CLIENT_PROPERTIES, REGISTERED_BY_ADMIN, SUPPORTED_SCOPES } from '../domain/clients.js';
import { createAccountIndex } from '../store/redis/account-index.js';
import type { RegistrationTokensRepo } from '../store/pg/registration-tokens-repo.js';
import type { RedisClient } from '../store/redis/connect.js';
import { createInteractionPolicy } from './acr-policy.js';
import { createCodeClaims } from './code-claims.js';
import { createClientAdapter, type ClientMetadataSource, type RegisteredClientStore } from './client-adapter.js';
import { enforceRegisteredClientAuthMethod } from './client-auth-method.js';
import { loadExistingGrant } from './first-party-grant.js';
import { pinRequestOriginToIssuer } from './issuer-origin.js';
import { createOutgoingFetch } from './outgoing-fetch.js';
import { createRedisAdapterClass } from './redis-adapter.js';
import { createRegistrationPolicy, type RegistrationRules } from './registration-policy.js';
import { createRegistrationTokenAdapter, POSTGRES_TOKEN_MODELS } from './registration-token-adapter.js';
import { RESPONSE_MODES } from './response-modes.js';
import { SCOPE_CLAIMS } from './scope-claims.js';
import { guardedForOutages, guardFunction } from './unavailable.js';
import { sessionTtlSeconds } from './session-ttl.js';


/** How long a person has to finish a sign-in; login journey state lives as long. */
export const INTERACTION_TTL_SECONDS = 3600;

export interface AccountClaimsSource {
  /** All claims of an account, or undefined when it does not exist or may not sign in. */
  (accountId: string): Promise<Record<string, unknown> | undefined>;
}

/** How the provider shows pages to people; supplied by the app so oidc/ knows no views. */
export interface ProviderPages {
  error(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }, error: Error): Promise<void>;
  logout(ctx: KoaContextWithOIDC, form: string): Promise<void>;
  loggedOut(ctx: KoaContextWithOIDC): Promise<void>;
}

export interface ProviderDeps {
  config: Config;
  redis: RedisClient;
  jwks: { keys: object[] };
  clientMetadata: ClientMetadataSource;
  accountClaims: AccountClaimsSource;
  pages: ProviderPages;
  /** Dynamic client registration (RFC 7591/7592); off without it. */
  registration?: { clients: RegisteredClientStore; tokens: RegistrationTokensRepo; rules: RegistrationRules };
  /** Clients of pforte itself (e.g. /manage's step-up), held by the provider: never in the client table. */
  ownClients?: ClientMetadata[];
  interactionPolicy?: Configuration['interactions'] extends infer I ? (I extends { policy?: infer P } ? P : never) : never;
}

export function createProvider({ config, redis, jwks, clientMetadata: loadClientMetadata, accountClaims: loadAccountClaims, pages, registration, ownClients = [], interactionPolicy }: ProviderDeps): Provider {
  // Every way the provider reaches Postgres or Redis turns an outage into temporarily_unavailable.
  const clientMetadata = guardFunction(loadClientMetadata);
  const accountClaims = guardFunction(loadAccountClaims);
  const accountIndex = createAccountIndex(redis);
  const hasEnded = guardFunction(accountIndex.hasEnded);
  const codeClaims = createCodeClaims();
  const RedisAdapter = createRedisAdapterClass(redis, accountIndex, codeClaims);
  // At /token a code brings the claims read at /auth (code-claims.ts), unless the account's
  // sessions were ended since it was issued: then Postgres says whether it may still sign in.
  const claimsFor = async (sub: string, token: unknown) => {
    const source = token as { kind?: string; jti?: string; accountId?: string } | undefined;
    const carried = source?.kind === 'AuthorizationCode' ? codeClaims.carried(source) : undefined;
    if (carried && !(await hasEnded(sub))) return carried;
    const claims = await accountClaims(sub);
    if (claims) codeClaims.remember(sub, claims);
    return claims;
  };
  const clientAdapter = createClientAdapter(clientMetadata, registration?.clients);
  const cookiePrefix = (prefix: string) => (config.isHttps ? prefix : '');

  const configuration: Configuration = {
    adapter: function Adapter(this: unknown, name: string) {
      if (name === 'Client') return clientAdapter;
      // Registration tokens live as long as their clients: never under the Redis fallback TTL.
      if (registration && POSTGRES_TOKEN_MODELS.has(name)) return createRegistrationTokenAdapter(registration.tokens, name);
      return guardedForOutages(new RedisAdapter(name));
    } as unknown as Configuration['adapter'],
    jwks: jwks as Configuration['jwks'],
    // Static clients win over the adapter and cannot be changed through registration management.
    clients: ownClients,
    acrValues: [...ACR_VALUES],
    // The admin scope is listed so the provider checks it against each client's allowed
    // scopes: a scope it does not know it would pass through to any client unchecked.
    scopes: [...SUPPORTED_SCOPES, ADMIN_SCOPE],
    claims: Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([scope, claims]) => [scope, [...claims]])),
    conformIdTokenClaims: false, // the ID token carries the claims of the granted scopes (SPEC 5)
    responseTypes: ['code'],
    // Only what pforte uses and tests (SPEC 7): secrets in the header or the body, and
    // public clients with PKCE. The JWT methods (and with them HS256) stay off.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    // Merged into oidc-provider's client defaults: no client may ask for response_mode=fragment.
    clientDefaults: { response_modes: [...RESPONSE_MODES] },
    // login_method=password|agent lets a relying party choose the first login page (SPEC 4).
    extraParams: ['login_method'],
    extraClientMetadata: {
      properties: [...EXTRA_CLIENT_PROPERTIES],
      validator(_ctx, key, value, metadata) {
        // Called once per extra property with the whole metadata: the URI rules of the
        // client service (SPEC 6) run with the first, so no stored client escapes them.
        if (key === EXTRA_CLIENT_PROPERTIES[0]) assertClientUris(metadata);
        const valid = key === 'login_method' ? value === 'password' || value === 'agent'
          : key === 'min_acr' ? (ACR_VALUES as readonly unknown[]).includes(value)
          : key === 'allowed_acr_values' ? Array.isArray(value)
          : value === undefined || typeof value === 'boolean';
        if (!valid) throw new TypeError(`invalid ${key}`);
      },
    },
    async findAccount(_ctx, sub, token) {
      const claims = await claimsFor(sub, token);
      if (!claims) return undefined;
      // Codes and refresh tokens carry the acr themselves, access tokens in `extra` (below).
      const source = token as { acr?: string; extra?: { acr?: string } } | undefined;
      const acr = source?.acr ?? source?.extra?.acr;
      return { accountId: sub, claims: async () => ({ ...claimsReleasableAt(acr, claims), sub }) };
    },
    // Access tokens remember the level they were issued at, so userinfo releases the same
    // claims as the ID token.
    async extraTokenClaims(ctx, token) {
      if (token.kind !== 'AccessToken') return undefined;
      const { AuthorizationCode: code, RefreshToken: refresh } = ctx.oidc.entities as { AuthorizationCode?: { acr?: string }; RefreshToken?: { acr?: string } };
      const acr = code?.acr ?? refresh?.acr;
      return acr ? { acr } : undefined;
    },
    loadExistingGrant,
    pkce: {
      required: (_ctx, client) => client.metadata().pkce_required !== false,
    },
    features: {
      devInteractions: { enabled: false },
      // On by default in oidc-provider 9, unused by pforte's relying parties: off.
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: { enabled: false },
      clientCredentials: { enabled: true },
      // RFC 7591/7592, only with an initial access token from `pforte client initial-token create`.
      registration: registration
        ? {
            enabled: true,
            initialAccessToken: true,
            issueRegistrationAccessToken: true,
            policies: { [REGISTRATION_POLICY]: createRegistrationPolicy(registration.rules) as never },
            idFactory: () => randomBytes(16).toString('base64url'),
            secretFactory: () => randomBytes(32).toString('base64url'),
          }
        : { enabled: false },
      registrationManagement: { enabled: registration !== undefined, rotateRegistrationAccessToken: true },
      // A client may introspect only the tokens issued to it; a token of an account that may
      // no longer sign in is inactive (userinfo and refresh already ask findAccount).
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => {
          if (token.clientId !== client.clientId) return false;
          return !('accountId' in token) || token.accountId === undefined || (await accountClaims(token.accountId)) !== undefined;
        },
      },
      // A client may revoke only the tokens issued to it.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: true },
      claimsParameter: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => pages.logout(ctx, form),
        postLogoutSuccessSource: (ctx) => pages.loggedOut(ctx),
      },
    },
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('openid'),
    rotateRefreshToken: true,
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris?.some((uri) => new URL(uri).origin === origin) ?? false,
    cookies: {
      keys: [...config.cookieSecrets],
      // Interaction cookies are scoped to their interaction's path, which `__Host-` forbids.
      names: {
        session: `${cookiePrefix('__Host-')}pforte.session`,
        interaction: `${cookiePrefix('__Secure-')}pforte.interaction`,
        resume: `${cookiePrefix('__Secure-')}pforte.resume`,
      },
      long: { httpOnly: true, sameSite: 'lax', path: '/' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      IdToken: 3600,
      Interaction: INTERACTION_TTL_SECONDS,
      Grant: 14 * 86400,
      RefreshToken: 14 * 86400,
      Session: (_ctx, session) => sessionTtlSeconds(session, config.session),
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: interactionPolicy ?? createInteractionPolicy(),
    },
    renderError: (ctx, out, error) => pages.error(ctx, out as never, error),
    fetch: createOutgoingFetch({
      internalHosts: config.backchannelLogoutInternalHosts,
      mayReachInternalHosts: async (clientId) => (await clientMetadata(clientId))?.[REGISTERED_BY_ADMIN] === true,
    }),
  };

  const provider = new Provider(config.issuer, configuration);
  provider.proxy = config.trustProxy;
  pinRequestOriginToIssuer(provider, config.issuer);
  enforceRegisteredClientAuthMethod(provider);
  // Only the address the trusted proxy appended counts: the leftmost X-Forwarded-For
  // entries are whatever the client sent, and per-IP limits must not be dodged by a header.
  provider.maxIpsCount = 1;
  return provider;
}

function assertClientUris(metadata: Record<string, unknown>): void {
  for (const property of CLIENT_URI_PROPERTIES) {
    for (const value of [metadata[property] ?? []].flat()) {
      const problem = typeof value === 'string' ? clientUriProblem(value) : 'must be a string';
      if (problem) throw new errors.InvalidClientMetadata(`${property} ${problem}`);
    }
  }
}
