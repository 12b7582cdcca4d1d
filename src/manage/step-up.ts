import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { ClientMetadata, default as Provider } from 'oidc-provider';
import type { Config } from '../config/index.js';
import type { Acr } from '../domain/assurance.js';
import { DEFAULT_LOCALE } from '../i18n/index.js';
import { renderPage } from '../http/render.js';
import type { SessionGuard } from '../http/require-session.js';
import { INTERACTION_TTL_SECONDS } from '../oidc/provider.js';

/**
 * pforte's own client for /manage: held by the provider itself (a static client), so no
 * administrator can delete or change it and no database row has to be kept in step.
 */
export const MANAGE_CLIENT_ID = 'pforte-manage';
export const MANAGE_CALLBACK_PATH = '/manage/callback';
const LOA2: Acr = 'urn:pforte:loa:2';

export function manageClientMetadata(issuer: string): ClientMetadata {
  return {
    client_id: MANAGE_CLIENT_ID,
    client_name: 'pforte',
    redirect_uris: [`${issuer}${MANAGE_CALLBACK_PATH}`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // A public client with PKCE: the code never leaves pforte (the callback redeems it in-process).
    token_endpoint_auth_method: 'none',
    scope: 'openid',
    default_acr_values: [LOA2],
    first_party: true,
    login_method: 'password',
    allowed_acr_values: ['urn:pforte:loa:1', LOA2],
    min_acr: LOA2,
    device_shortcut: true,
    pkce_required: true,
  };
}

/**
 * A path under /manage to come back to, or undefined: only a same-origin path of the
 * manage pages (never the callback itself), so the callback is no open redirect.
 */
export function manageReturnPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2000 || !value.startsWith('/manage') || /[\\\s]/.test(value)) return undefined;
  const base = 'http://pforte.invalid';
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return undefined;
  }
  if (url.origin !== base) return undefined;
  if (url.pathname !== '/manage' && !url.pathname.startsWith('/manage/')) return undefined;
  if (url.pathname === MANAGE_CALLBACK_PATH || url.pathname.includes('//')) return undefined;
  return url.pathname + url.search;
}

interface PendingStepUp {
  state: string;
  verifier: string;
  returnTo: string;
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** base64url of JSON: a cookie value needs no quoting (RFC 6265 forbids `"` and `,`). */
const encodePending = (pending: PendingStepUp) => Buffer.from(JSON.stringify(pending)).toString('base64url');

function readPending(raw: string | undefined): PendingStepUp | undefined {
  if (!raw) return undefined;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<PendingStepUp>;
    if (typeof value.state !== 'string' || typeof value.verifier !== 'string' || typeof value.returnTo !== 'string') return undefined;
    return value as PendingStepUp;
  } catch {
    return undefined;
  }
}

/**
 * The step-up of /manage (SPEC 5, SPEC 3): below loa:2 a page GET sends the browser to the
 * provider's authorization endpoint with an essential loa:2 acr claim, as any relying party
 * would; the existing journeys ask only for what is missing (the TAN, or nothing on a
 * trusted device), and the callback returns to the /manage page first asked for.
 * The state, the PKCE verifier and the return path live in a signed cookie of this browser.
 */
export function createManageStepUp({ provider, config, sessions }: { provider: Provider; config: Config; sessions: SessionGuard }) {
  const cookieName = `${config.isHttps ? '__Secure-' : ''}pforte.manage-step-up`;
  const cookieOptions = { signed: true, httpOnly: true, sameSite: 'lax' as const, path: '/manage', secure: config.isHttps, overwrite: true };
  const callbackUrl = `${config.issuer}${MANAGE_CALLBACK_PATH}`;

  const refuse = (ctx: Context) =>
    renderPage(ctx, 'message', { title: 'manage.title', message: 'manage.step_up_failed', link: { href: '/manage', label: 'manage.try_again' } }, 403);

  return {
    /** Redirects to the provider for a loa:2 sign-in that ends on the requested /manage page. */
    async start(ctx: Context): Promise<void> {
      const pending: PendingStepUp = {
        state: randomBytes(16).toString('base64url'),
        verifier: randomBytes(32).toString('base64url'),
        returnTo: manageReturnPath(ctx.originalUrl) ?? '/manage',
      };
      // As long as a sign-in may take.
      ctx.cookies.set(cookieName, encodePending(pending), { ...cookieOptions, maxAge: INTERACTION_TTL_SECONDS * 1000 });
      const url = new URL(provider.urlFor('authorization'));
      url.search = new URLSearchParams({
        client_id: MANAGE_CLIENT_ID,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: callbackUrl,
        state: pending.state,
        code_challenge: s256(pending.verifier),
        code_challenge_method: 'S256',
        claims: JSON.stringify({ id_token: { acr: { essential: true, value: LOA2 } } }),
        ui_locales: ctx.state.locale ?? DEFAULT_LOCALE,
      }).toString();
      ctx.status = 303;
      ctx.redirect(url.href);
    },

    /**
     * GET /manage/callback: only this browser's state, and a code the provider issued to
     * this client, for this browser's session and PKCE verifier, lead back; the code is
     * consumed here (pforte needs no tokens, the session itself now holds loa:2).
     */
    async callback(ctx: Context): Promise<void> {
      const pending = readPending(ctx.cookies.get(cookieName, { signed: true }));
      ctx.cookies.set(cookieName, null, cookieOptions);
      const { state, code, error, iss } = ctx.query;
      if (!pending || typeof state !== 'string' || !sameText(state, pending.state)) return refuse(ctx);
      if (error !== undefined || typeof code !== 'string' || code.length > 200 || (iss !== undefined && iss !== config.issuer)) return refuse(ctx);
      const issued = await provider.AuthorizationCode.find(code);
      const current = await sessions.signedIn(ctx);
      const isOurs = issued !== undefined
        && issued.isValid
        && issued.clientId === MANAGE_CLIENT_ID
        && issued.redirectUri === callbackUrl
        && issued.codeChallengeMethod === 'S256'
        && issued.codeChallenge === s256(pending.verifier)
        && current !== undefined
        && issued.accountId === current.account.id;
      if (!isOurs) return refuse(ctx);
      await issued.consume();
      ctx.status = 303;
      ctx.redirect(manageReturnPath(pending.returnTo) ?? '/manage');
    },
  };
}

export type ManageStepUp = ReturnType<typeof createManageStepUp>;
