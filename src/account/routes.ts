import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from '../config/index.js';
import type { AccountService } from '../domain/accounts.js';
import type { DeviceService } from '../domain/devices.js';
import { acrRank, isAcr } from '../domain/assurance.js';
import { deriveKey } from '../domain/secret-box.js';
import { AppError } from '../errors/index.js';
import { createCsrf } from '../http/csrf.js';
import { parseForm } from '../http/form-body.js';
import { renderPage } from '../http/render.js';
import { isMessageKey } from '../i18n/index.js';

export interface AccountDeps {
  provider: Provider;
  config: Config;
  accounts: AccountService;
  devices: DeviceService;
}

/** The account page (SPEC 4.9): for whoever holds a pforte session in this browser. */
export function accountRoutes({ provider, config, accounts, devices }: AccountDeps): Router {
  const router = new Router({ prefix: '/account' });
  const csrf = createCsrf(deriveKey(config.keyEncryptionSecret, 'csrf'));

  async function signedIn(ctx: Context) {
    const session = await provider.Session.get(ctx as never);
    const account = session.accountId ? await accounts.findById(session.accountId) : undefined;
    // A loa:0 session only claims an identity (SPEC 3): it may not see or change the account.
    const isProven = isAcr(session.acr) && acrRank(session.acr) >= acrRank('urn:pforte:loa:1');
    return account && account.status === 'active' && isProven ? { session, account } : undefined;
  }

  async function checkedForm(ctx: Context, sessionId: string): Promise<void> {
    csrf.verify((await parseForm(ctx)).csrf, sessionId);
  }

  router.get('/', async (ctx) => {
    const current = await signedIn(ctx);
    if (!current) return renderPage(ctx, 'account-signed-out', { showDemo: !config.isProduction }, 401);
    await renderPage(ctx, 'account', {
      account: current.account,
      devices: await devices.list(current.account.id),
      csrf: csrf.tokenFor(current.session.jti),
      notice: typeof ctx.query.done === 'string' && isMessageKey(`account.done.${ctx.query.done}`) ? `account.done.${ctx.query.done}` : undefined,
    });
  });

  router.post('/devices/revoke-all', async (ctx) => {
    const current = await signedIn(ctx);
    if (!current) throw new AppError('session_required');
    await checkedForm(ctx, current.session.jti);
    await devices.revokeAll(current.account.id, `account:${current.account.id}`);
    ctx.status = 303;
    ctx.redirect('/account?done=devices_revoked');
  });

  router.post('/devices/:id/revoke', async (ctx) => {
    const current = await signedIn(ctx);
    if (!current) throw new AppError('session_required');
    await checkedForm(ctx, current.session.jti);
    await devices.revoke(current.account.id, ctx.params.id!, `account:${current.account.id}`);
    ctx.status = 303;
    ctx.redirect('/account?done=device_revoked');
  });
  return router;
}
