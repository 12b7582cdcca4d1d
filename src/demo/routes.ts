import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import * as oidc from 'openid-client';
import type { Config } from '../config/index.js';
import type { ClientService } from '../domain/clients.js';
import { renderPage } from '../http/render.js';

export const DEMO_CLIENT_NAME = 'pforte demo';
const COOKIE = 'pforte.demo';

/**
 * A small relying party at /demo (outside production) that signs in with the demo client
 * through the real protocol (openid-client) and shows the ID token's claims.
 */
export function demoRoutes({ config, clients }: { config: Config; clients: ClientService }): Router {
  const router = new Router({ prefix: '/demo' });
  const callbackUrl = `${config.issuer}/demo/callback`;

  let cached: { clientId: string; configuration: oidc.Configuration } | undefined;
  async function relyingParty(): Promise<oidc.Configuration> {
    const client = await clients.show(DEMO_CLIENT_NAME);
    if (cached?.clientId !== client.client_id) {
      const metadata = await clients.providerMetadata(client.client_id);
      const secret = metadata!.client_secret as string;
      // pforte holds a client to its registered method (client_secret_basic by default).
      const auth = metadata!.token_endpoint_auth_method === 'client_secret_post' ? oidc.ClientSecretPost(secret) : oidc.ClientSecretBasic(secret);
      const configuration = await oidc.discovery(new URL(config.issuer), client.client_id, secret, auth, {
        execute: config.isHttps ? [] : [oidc.allowInsecureRequests],
      });
      cached = { clientId: client.client_id, configuration };
    }
    return cached.configuration;
  }

  router.get('/', (ctx) => renderPage(ctx, 'demo', {}));

  router.get('/login', async (ctx) => {
    const rp = await relyingParty();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = randomBytes(16).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    ctx.cookies.set(COOKIE, JSON.stringify({ verifier, state, nonce }), { signed: true, httpOnly: true, sameSite: 'lax', maxAge: 600_000 });
    const params: Record<string, string> = {
      redirect_uri: callbackUrl,
      scope: 'openid email profile roles org agent',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    };
    for (const name of ['acr_values', 'ui_locales', 'login_method', 'prompt'] as const) {
      const value = ctx.query[name];
      if (typeof value === 'string' && value.length < 200) params[name] = value;
    }
    ctx.redirect(oidc.buildAuthorizationUrl(rp, params).href);
  });

  router.get('/callback', async (ctx) => {
    const stored = ctx.cookies.get(COOKIE, { signed: true });
    ctx.cookies.set(COOKIE, null);
    if (!stored) return ctx.redirect('/demo');
    const { verifier, state, nonce } = JSON.parse(stored) as { verifier: string; state: string; nonce: string };
    const rp = await relyingParty();
    try {
      const tokens = await oidc.authorizationCodeGrant(rp, new URL(ctx.url, config.issuer), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      const logoutUrl = oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${config.issuer}/demo` });
      await renderPage(ctx, 'demo', { claims: tokens.claims(), logoutUrl: logoutUrl.href });
    } catch (error) {
      await renderPage(ctx, 'demo', { failure: (error as Error).message }, 400);
    }
  });
  return router;
}
