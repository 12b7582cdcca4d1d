import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from '../config/index.js';
import { PasswordRejected } from '../domain/onboarding.js';
import type { Recovery } from '../domain/recovery.js';
import type { SelfServiceFlow } from '../domain/self-service-flows.js';
import { parseForm } from '../http/form-body.js';
import { readNewPassword, renderPasswordForm } from '../http/password-form.js';
import { rateLimited, type RateLimits } from '../http/rate-limit.js';
import { renderPage } from '../http/render.js';
import { readField } from '../interaction/fields.js';
import { leadOnAfterSuccess } from './after-success.js';
import type { FlowCookie } from './flow-cookie.js';
import { useFlowLocale, type startOrResumeFlow } from './start-flow.js';

export interface ForgotPasswordDeps {
  provider: Provider;
  config: Config;
  recovery: Recovery;
  flowCookie: FlowCookie;
  startFlow: ReturnType<typeof startOrResumeFlow>;
  rateLimits: RateLimits;
}

/** /forgot-password (SPEC 4.7): "Email" + "Send link", the same answer for every address, and the reset link. */
export function forgotPasswordRoutes(deps: ForgotPasswordDeps): Router {
  const { config, recovery, flowCookie } = deps;
  const router = new Router({ prefix: '/forgot-password' });

  const renderForm = (ctx: Context, flow: SelfServiceFlow, extra: { errors?: Record<string, string>; values?: Record<string, string> } = {}, status = 200) =>
    renderPage(ctx, 'forgot-password', { title: 'forgot.title', csrf: flowCookie.csrfToken(flow), ...extra }, status);
  const resetPage = (ctx: Context) => ({ action: `/forgot-password/reset/${ctx.params.token}`, title: 'forgot.reset_title', intro: 'forgot.reset_intro', minLength: config.passwords.minLength });
  const invalidLink = (ctx: Context) => renderPage(ctx, 'message', { title: 'forgot.reset_title', message: 'forgot.link_invalid' }, 400);

  router.get('/', async (ctx) => {
    await renderForm(ctx, await deps.startFlow(ctx, 'recovery'));
  });

  router.post('/', rateLimited(deps.rateLimits, 'forgot_password'), async (ctx) => {
    const form = await parseForm(ctx);
    const flow = await flowCookie.verifiedFlow(ctx, 'recovery', form.csrf);
    useFlowLocale(ctx, flow);
    // Only the shape is checked here; whether an account exists is never told.
    const email = readField(form, 'email', 254);
    if (email.error) return renderForm(ctx, flow, { errors: { email: email.error }, values: { email: email.value ?? '' } }, 400);
    await recovery.request(flow, email.value!);
    await renderPage(ctx, 'message', { title: 'forgot.sent_title', message: 'forgot.sent' });
  });

  router.get('/reset/:token', async (ctx) => {
    const link = await recovery.linkState(ctx.params.token!);
    if (link.state === 'invalid') return invalidLink(ctx);
    useFlowLocale(ctx, link.flow);
    await renderPasswordForm(ctx, resetPage(ctx));
  });

  // The link's token is the secret that authorises this form; a CSRF token would add nothing.
  router.post('/reset/:token', async (ctx) => {
    const { password, confirmation } = readNewPassword(await parseForm(ctx));
    let result;
    try {
      const session = await deps.provider.Session.get(ctx as never);
      result = await recovery.reset(ctx.params.token!, password, confirmation, { browserSession: { id: session.jti, accountId: session.accountId } });
    } catch (error) {
      if (error instanceof PasswordRejected) return renderPasswordForm(ctx, resetPage(ctx), error);
      throw error;
    }
    if (result.outcome === 'invalid') return invalidLink(ctx);
    useFlowLocale(ctx, result.flow);
    await leadOnAfterSuccess(ctx, { provider: deps.provider, flowCookie, flow: result.flow, message: 'forgot.done' });
  });
  return router;
}
