import Router from '@koa/router';
import type { Context } from 'koa';
import type { Config } from '../config/index.js';
import type { DeviceService } from '../domain/devices.js';
import type { Actor } from '../domain/policies/actor.js';
import { authorize } from '../domain/policies/authorize.js';
import { csrf, type Csrf } from '../http/csrf.js';
import { renderPage } from '../http/render.js';
import { signedInOf, type SessionGuard } from '../http/require-session.js';

export interface AccountDeps {
  config: Config;
  sessions: SessionGuard;
  csrfTokens: Csrf;
  devices: DeviceService;
}

/** The person of this request, acting on their own account. */
function selfOf(ctx: Context): Actor {
  return { kind: 'self', accountId: signedInOf(ctx).account.id };
}

/** The account page (SPEC 4.9): for whoever holds a pforte session in this browser. */
export function accountRoutes({ config, sessions, csrfTokens, devices }: AccountDeps): Router {
  const router = new Router({ prefix: '/account' });
  const signedOutPage = (ctx: Context) => renderPage(ctx, 'account-signed-out', { showDemo: !config.isProduction }, 401);
  const guard = sessions.requireSession({ whenMissing: signedOutPage });
  const guardedForm = [sessions.requireSession(), csrf(csrfTokens)] as const;
  const done = (ctx: Context, what: string) => {
    ctx.status = 303;
    ctx.redirect(`/account?done=${what}`);
  };

  router.get('/', guard, async (ctx) => {
    const { account, sessionId } = signedInOf(ctx);
    authorize(selfOf(ctx), 'account.read', account);
    await renderPage(ctx, 'account', {
      account,
      devices: await devices.list(account.id),
      csrf: csrfTokens.tokenFor(sessionId),
      notice: typeof ctx.query.done === 'string' && /^[a-z_]{1,32}$/.test(ctx.query.done) ? `account.done.${ctx.query.done}` : undefined,
    });
  });

  router.post('/devices/revoke-all', ...guardedForm, async (ctx) => {
    const { account } = signedInOf(ctx);
    authorize(selfOf(ctx), 'account.revoke_devices', account);
    await devices.revokeAll(account.id, selfOf(ctx));
    done(ctx, 'devices_revoked');
  });

  router.post('/devices/:id/revoke', ...guardedForm, async (ctx) => {
    const { account } = signedInOf(ctx);
    authorize(selfOf(ctx), 'account.revoke_devices', account);
    await devices.revoke(account.id, ctx.params.id!, selfOf(ctx));
    done(ctx, 'device_revoked');
  });
  return router;
}
