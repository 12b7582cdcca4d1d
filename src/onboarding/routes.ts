import Router from '@koa/router';
import type { Context } from 'koa';
import type { Config } from '../config/index.js';
import { PasswordRejected, type Onboarding } from '../domain/onboarding.js';
import { parseForm } from '../http/form-body.js';
import { readNewPassword, renderPasswordForm } from '../http/password-form.js';
import { renderPage } from '../http/render.js';

/** /activate/:token — "set your password" from an activation link (SPEC 4.6). */
export function activationRoutes({ config, onboarding }: { config: Config; onboarding: Onboarding }): Router {
  const router = new Router({ prefix: '/activate/:token' });
  const page = (ctx: Context) => ({
    action: `/activate/${ctx.params.token}`,
    title: 'activation.title',
    intro: 'activation.intro',
    minLength: config.passwords.minLength,
  });
  const invalidLink = (ctx: Context) => renderPage(ctx, 'message', { title: 'activation.title', message: 'activation.invalid' }, 400);

  router.get('/', async (ctx) => {
    if (!(await onboarding.accountForActivation(ctx.params.token!))) return invalidLink(ctx);
    await renderPasswordForm(ctx, page(ctx));
  });

  router.post('/', async (ctx) => {
    const { password, confirmation } = readNewPassword(await parseForm(ctx));
    try {
      const account = await onboarding.activate(ctx.params.token!, password, confirmation);
      if (!account) return invalidLink(ctx);
    } catch (error) {
      if (error instanceof PasswordRejected) return renderPasswordForm(ctx, page(ctx), error);
      throw error;
    }
    await renderPage(ctx, 'message', { title: 'activation.title', message: 'activation.done' });
  });
  return router;
}
