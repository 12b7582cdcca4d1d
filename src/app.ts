import type Provider from 'oidc-provider';
import type { Config } from './config/index.js';
import { demoRoutes } from './demo/routes.js';
import { helpRoutes } from './help/routes.js';
import { activationRoutes } from './onboarding/routes.js';
import { loadPrivateJwks } from './domain/signing-keys.js';
import { assets } from './http/assets.js';
import { errorPages } from './http/error-pages.js';
import { localeMiddleware } from './http/locale.js';
import { healthRoutes } from './http/health.js';
import { metricsRoutes } from './http/metrics-route.js';
import { acceptPostAsGet } from './http/post-as-get.js';
import { providerAutoSubmitPages, providerPages } from './http/provider-pages.js';
import { createRateLimits } from './http/rate-limit.js';
import { requestContext } from './http/request-context.js';
import { securityHeaders } from './http/security-headers.js';
import { accountRoutes } from './account/routes.js';
import type { FlowState } from './interaction/flow.js';
import { interactionRoutes } from './interaction/routes.js';
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
 */
export async function buildApp({ config, db, redis, logger, services }: AppDeps): Promise<Provider> {
  const jwks = await loadPrivateJwks(services.signingKeys.repo, services.signingKeys.box);
  const provider = createProvider({
    config,
    redis,
    jwks,
    clientMetadata: (clientId) => services.clients.providerMetadata(clientId),
    accountClaims: (accountId) => services.accountClaims.claimsFor(accountId),
    pages: providerPages,
  });
  // The provider answers its own errors; log the unexpected ones (codes only, no request data).
  provider.on('server_error', (ctx, error) => logger.error({ requestId: ctx.state?.requestId, err: loggableError(error) }, 'provider error'));
  logBackchannelLogout(provider, logger);
  const metrics = metricsFor(services.audit);
  provider.on('grant.success', (ctx) => metrics.tokenIssued(ctx.oidc.params?.grant_type));
  provider.use(requestContext(logger, metrics));
  provider.use(securityHeaders({ isHttps: config.isHttps }));
  provider.use(localeMiddleware());
  provider.use(errorPages(logger));
  provider.use(assets());
  provider.use(providerAutoSubmitPages());
  provider.use(acceptPostAsGet([provider.pathFor('authorization'), provider.pathFor('end_session')]));
  provider.use(healthRoutes({ postgres: () => pingDb(db), redis: () => pingRedis(redis) }).routes());
  provider.use(metricsRoutes({ registry: metrics.registry, token: config.metricsToken }).routes());
  provider.use(interactionRoutes({
    provider,
    config,
    accounts: services.accounts,
    audit: services.audit,
    tans: services.tans,
    devices: services.devices,
    lockout: services.lockout,
    mailer: services.mailer,
    onboarding: services.onboarding,
    flows: createFlowStore<FlowState>(redis, INTERACTION_TTL_SECONDS),
    rateLimits: createRateLimits({
      // The embedded default's Redis stand-in is in-process anyway: plain memory does the same.
      redis: config.redisUrl ? redis : undefined,
      perMinute: { password: config.rateLimits.passwordPerIpPerMinute, tan: config.rateLimits.tanPerIpPerMinute, agent: config.rateLimits.agentPerIpPerMinute },
    }),
  }).routes());
  provider.use(helpRoutes({ supportContact: config.supportContact }).routes());
  provider.use(activationRoutes({ config, onboarding: services.onboarding }).routes());
  provider.use(accountRoutes({ provider, config, devices: services.devices, accounts: services.accounts }).routes());
  if (!config.isProduction) {
    provider.use(demoRoutes({ config, clients: services.clients }).routes());
    if (services.outbox) provider.use(devOutboxRoutes(services.outbox).routes());
  }
  return provider;
}
