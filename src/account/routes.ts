import Router from '@koa/router';
import type { Context } from 'koa';
import type { Config } from '../config/index.js';
import type { AccountStatusService } from '../domain/account-status.js';
import type { Credentials } from '../domain/credentials.js';
import type { DeviceService } from '../domain/devices.js';
import { PasswordRejected } from '../domain/onboarding.js';
import type { Actor } from '../domain/policies/actor.js';
import { authorize } from '../domain/policies/authorize.js';
import { AppError } from '../errors/index.js';
import { checkedFormOf, csrf, type Csrf } from '../http/csrf.js';
import { passwordRulesView } from '../http/password-form.js';
import { renderPage } from '../http/render.js';
import { isMessageKey } from '../i18n/index.js';
import { signedInOf, type SessionGuard } from '../http/require-session.js';
import { DEFAULT_LOCALE } from '../i18n/index.js';

export interface AccountDeps {
  config: Config;
  sessions: SessionGuard;
  csrfTokens: Csrf;
  devices: DeviceService;
  credentials: Credentials;
  accountStatus: AccountStatusService;
}

/** The person of this request, acting on their own account. */
function selfOf(ctx: Context): Actor {
  return { kind: 'self', accountId: signedInOf(ctx).account.id };
}

/** Overlong input cannot be a password of ours; it fails as a wrong or rule-breaking one. */
const passwordField = (form: Record<string, string>, name: string) => (form[name] ?? '').slice(0, 1024);

/** The account page (SPEC 4.9): for whoever holds a pforte session in this browser. */
export function accountRoutes({ config, sessions, csrfTokens, devices, credentials, accountStatus }: AccountDeps): Router {
  const router = new Router({ prefix: '/account' });
  const signedOutPage = (ctx: Context) => renderPage(ctx, 'account-signed-out', { showDemo: !config.isProduction }, 401);
  const guard = sessions.requireSession({ whenMissing: signedOutPage });
  const guardedForm = [sessions.requireSession(), csrf(csrfTokens)] as const;
  const done = (ctx: Context, what: string) => {
    ctx.status = 303;
    ctx.redirect(`/account?done=${what}`);
  };

  /** The page, with the password form's errors after a refused change. */
  async function renderAccountPage(ctx: Context, { errors = {}, rejected, status = 200 }: { errors?: Record<string, string>; rejected?: PasswordRejected; status?: number } = {}) {
    const { account, sessionId } = signedInOf(ctx);
    authorize(selfOf(ctx), 'account.read', account);
    await renderPage(ctx, 'account', {
      account,
      devices: await devices.list(account.id),
      csrf: csrfTokens.tokenFor(sessionId),
      errors,
      ...passwordRulesView(config.passwords.minLength, rejected),
      notice: status === 200 && typeof ctx.query.done === 'string' && isMessageKey(`account.done.${ctx.query.done}`) ? `account.done.${ctx.query.done}` : undefined,
    }, status);
  }

  router.get('/', guard, (ctx) => renderAccountPage(ctx));

  router.post('/password', ...guardedForm, async (ctx) => {
    const { account, sessionId } = signedInOf(ctx);
    const form = checkedFormOf(ctx);
    const input = { current: passwordField(form, 'current_password'), password: passwordField(form, 'password'), confirmation: passwordField(form, 'confirmation') };
    try {
      await credentials.changePassword(selfOf(ctx), account, input, { keepSessionId: sessionId, locale: ctx.state.locale ?? DEFAULT_LOCALE, ip: ctx.ip });
    } catch (error) {
      if (error instanceof PasswordRejected) return renderAccountPage(ctx, { errors: { password: error.reason }, rejected: error, status: 400 });
      if (error instanceof AppError && error.code === 'current_password_wrong') return renderAccountPage(ctx, { errors: { current_password: error.code }, status: 400 });
      throw error;
    }
    done(ctx, 'password_changed');
  });

  router.post('/sign-out-everywhere', ...guardedForm, async (ctx) => {
    await accountStatus.signOutEverywhere(selfOf(ctx), signedInOf(ctx).account, { locale: ctx.state.locale ?? DEFAULT_LOCALE });
    // This browser's session ended too: the person lands signed out.
    await renderPage(ctx, 'message', { title: 'account.everywhere.title', message: 'account.signed_out_everywhere' });
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
