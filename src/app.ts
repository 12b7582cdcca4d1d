import type Provider from 'oidc-provider';
import type { Middleware } from 'koa';
import type { Config } from './config/index.js';
import { demoRoutes } from './demo/routes.js';
import { helpRoutes } from './help/routes.js';
import { activationRoutes } from './onboarding/routes.js';
import type { PrivateJwks } from './domain/signing-keyring.js';
import { assets } from './http/assets.js';
import { brandingRoutes } from './http/branding.js';
import { deriveKey } from './domain/secret-box.js';
import { createCsrf } from './http/csrf.js';
import { errorPages } from './http/error-pages.js';
import { localeMiddleware } from './http/locale.js';
import { healthRoutes } from './http/health.js';
import { htmlSafeJson } from './http/html-safe-json.js';
import { advertiseResponseModes } from './oidc/response-modes.js';
import { metricsRoutes } from './http/metrics-route.js';
import { acceptPostAsGet } from './http/post-as-get.js';
import { providerAutoSubmitPages, providerPages } from './http/provider-pages.js';
import { createRateLimits } from './http/rate-limit.js';
import { requestContext } from './http/request-context.js';
import { createSessionGuard } from './http/require-session.js';
import { securityHeaders } from './http/security-headers.js';
import { accountRoutes } from './account/routes.js';
import { createAdminApi } from './admin-api/routes.js';
import { manageRoutes } from './manage/routes.js';
import { createManageStepUp, manageClientMetadata } from './manage/step-up.js';
import type { FlowState } from './interaction/flow.js';
import { interactionRoutes } from './interaction/routes.js';
import { createFlowCookie } from './self-service/flow-cookie.js';
import { forgotPasswordRoutes } from './self-service/forgot-password-routes.js';
import { registerRoutes } from './self-service/register-routes.js';
import { startOrResumeFlow } from './self-service/start-flow.js';
import { devOutboxRoutes } from './mail/outbox-routes.js';
import { createFlowStore } from './store/redis/flow-store.js';
import type { Logger } from './observability/logger.js';
import { loggableError } from './observability/loggable-error.js';
import { logBackchannelLogout } from './oidc/backchannel-logging.js';
import { metricsFor } from './observability/metrics.js';
import { createProvider, INTERACTION_TTL_SECONDS } from './oidc/provider.js';
import type { Services } from './services.js';
import { pingDb, type Db } from './store/pg/db.js';
import { pingRedis, type RedisClient } from './store/redis/connect.js';

export interface AppDeps {
  config: Config;
  db: Db;
  redis: RedisClient;
  logger: Logger;
  services: Services;
}

/**
 * The HTTP application: oidc-provider is itself the Koa app; pforte's middleware and
 * routes run in front of the provider's own endpoints.
 *
 * oidc-provider reads its keys once, when it is built. So when the signing keys change
 * (`services.signingKeys.reload()`), the app is built anew with the new keys and the first
 * app, the one the server calls, hands every later request to it. All state lives in
 * Redis and Postgres, so a request in flight on the old app and the next one on the new
 * app see the same sessions, interactions and clients.
 */
export async function buildApp(deps: AppDeps): Promise<Provider> {
  const keys = deps.services.signingKeys;
  let handle: ReturnType<Provider['callback']> | undefined;
  const handToCurrent: Middleware = async (ctx, next) => {
    if (!handle) return next();
    ctx.respond = false;
    await handle(ctx.req, ctx.res);
  };
  const first = assembleApp(deps, await keys.load(), handToCurrent);
  keys.onReload((jwks) => {
    handle = assembleApp(deps, jwks).callback();
  });
  return first;
}

function assembleApp({ config, db, redis, logger, services }: AppDeps, jwks: PrivateJwks, front?: Middleware): Provider {
  const provider = createProvider({
    config,
    redis,
    jwks,
    clientMetadata: (clientId) => services.clients.providerMetadata(clientId),
    accountClaims: (accountId) => services.accountClaims.claimsFor(accountId),
    pages: providerPages,
    ownClients: [manageClientMetadata(config.issuer)],
    registration: {
      clients: { upsert: (id, metadata) => services.clients.storeRegistered(id, metadata), destroy: (id) => services.clients.deleteRegistered(id) },
      tokens: services.registrationTokens,
      rules: {
        metadata: (clientId, requested) => services.clients.registrationMetadata(clientId, requested),
        consumeInitialAccessToken: (token) => services.initialAccessTokens.consume(token),
      },
    },
  });
  // The provider answers its own errors; log the unexpected ones (codes only, no request data).
  provider.on('server_error', (ctx, error) => logger.error({ requestId: ctx.state?.requestId, err: loggableError(error) }, 'provider error'));
  logBackchannelLogout(provider, logger);
  if (front) provider.use(front);
  const metrics = metricsFor(services.audit);
  provider.on('grant.success', (ctx) => metrics.tokenIssued(ctx.oidc.params?.grant_type));
  provider.use(requestContext(logger, metrics));
  provider.use(securityHeaders({ isHttps: config.isHttps }));
  provider.use(htmlSafeJson());
  // Inside htmlSafeJson: it corrects the discovery object before the JSON is written.
  provider.use(advertiseResponseModes);
  provider.use(localeMiddleware());
  const branding = brandingRoutes({
    brandFor: (clientId) => services.clients.brandFor(clientId),
    brandLogo: (hash) => services.clients.brandLogo(hash),
    defaults: { supportContact: config.supportContact },
  });
  provider.use(branding.context);
  provider.use(errorPages(logger));
  provider.use(assets());
  provider.use(branding.routes.routes());
  provider.use(providerAutoSubmitPages());
  provider.use(acceptPostAsGet([provider.pathFor('authorization'), provider.pathFor('end_session')]));
  const rateLimits = createRateLimits({
    // The embedded default's Redis stand-in is in-process anyway: plain memory does the same.
    redis: config.redisUrl ? redis : undefined,
    perMinute: {
      password: config.rateLimits.passwordPerIpPerMinute,
      tan: config.rateLimits.tanPerIpPerMinute,
      agent: config.rateLimits.agentPerIpPerMinute,
      register: config.rateLimits.registerPerIpPerMinute,
      forgot_password: config.rateLimits.forgotPasswordPerIpPerMinute,
    },
  });
  const flowCookie = createFlowCookie(config, services.selfServiceFlows);
  const selfService = { flows: services.selfServiceFlows, flowCookie };
  const startFlow = startOrResumeFlow(selfService);
  provider.use(healthRoutes({ postgres: () => pingDb(db), redis: () => pingRedis(redis) }).routes());
  provider.use(metricsRoutes({ registry: metrics.registry, token: config.metricsToken }).routes());
  provider.use(interactionRoutes({
    provider,
    config,
    accounts: services.accounts,
    accountStatus: services.accountStatus,
    signInPolicy: services.signInPolicy,
    audit: services.audit,
    tans: services.tans,
    devices: services.devices,
    lockout: services.lockout,
    mailer: services.mailer,
    onboarding: services.onboarding,
    flows: createFlowStore<FlowState>(redis, INTERACTION_TTL_SECONDS),
    rateLimits,
    selfService,
  }).routes());
  provider.use(forgotPasswordRoutes({ provider, config, recovery: services.recovery, flowCookie, startFlow, rateLimits }).routes());
  provider.use(registerRoutes({ provider, config, registration: services.registration, flowCookie, startFlow, rateLimits, now: () => services.clock() }).routes());
  provider.use(helpRoutes({ supportContact: config.supportContact }).routes());
  provider.use(activationRoutes({ config, onboarding: services.onboarding }).routes());
  // One session guard and one CSRF key for every page of signed-in people (account, manage).
  const sessions = createSessionGuard({ provider, accounts: services.accounts });
  const csrfTokens = createCsrf(deriveKey(config.keyEncryptionSecret, 'csrf'));
  provider.use(createAdminApi({ provider, services, logger, issuer: config.issuer }).middleware);
  const stepUp = createManageStepUp({ provider, config, sessions });
  provider.use(manageRoutes({ sessions, csrfTokens, members: services.members, stepUp }).routes());
  provider.use(accountRoutes({ config, sessions, csrfTokens, devices: services.devices, credentials: services.credentials, accountStatus: services.accountStatus }).routes());
  if (!config.isProduction) {
    provider.use(demoRoutes({ config, clients: services.clients }).routes());
    if (services.outbox) provider.use(devOutboxRoutes(services.outbox).routes());
  }
  return provider;
}
