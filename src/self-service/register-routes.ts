import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from '../config/index.js';
import { normaliseEmail } from '../domain/accounts.js';
import { parseBirthDate } from '../domain/customer-import.js';
import { PasswordRejected } from '../domain/onboarding.js';
import type { Registration } from '../domain/registration.js';
import type { SelfServiceFlow } from '../domain/self-service-flows.js';
import { parseForm } from '../http/form-body.js';
import { readNewPassword, renderPasswordForm } from '../http/password-form.js';
import { rateLimited, type RateLimits } from '../http/rate-limit.js';
import { renderPage } from '../http/render.js';
import { readCheckbox, readField } from '../interaction/fields.js';
import { leadOnAfterSuccess } from './after-success.js';
import type { FlowCookie } from './flow-cookie.js';
import { startOrResumeFlow, useFlowLocale } from './start-flow.js';

export interface RegisterDeps {
  provider: Provider;
  config: Config;
  registration: Registration;
  flowCookie: FlowCookie;
  startFlow: ReturnType<typeof startOrResumeFlow>;
  rateLimits: RateLimits;
  now: () => Date;
}

type Form = Record<string, string>;

/** The form's fields checked for shape only (SPEC 4.5): nothing here depends on stored data. */
function readRegistration(form: Form, today: Date) {
  const errors: Record<string, string> = {};
  const policyNumber = readField(form, 'policy_number', 64);
  if (policyNumber.error) errors.policy_number = policyNumber.error;
  const birthDateField = readField(form, 'birth_date', 10);
  const birthDate = birthDateField.error ? undefined : parseBirthDate(birthDateField.value!, today);
  if (birthDateField.error) errors.birth_date = birthDateField.error;
  else if (!birthDate) errors.birth_date = 'birth_date_invalid';
  const emailField = readField(form, 'email', 254);
  const email = emailField.error ? undefined : normaliseEmail(emailField.value!);
  if (emailField.error) errors.email = emailField.error;
  else if (!email) errors.email = 'invalid_email';
  const confirmation = readField(form, 'email_confirmation', 254);
  if (confirmation.error) errors.email_confirmation = confirmation.error;
  else if (email && confirmation.value!.toLowerCase() !== email.toLowerCase()) errors.email_confirmation = 'email_mismatch';
  const hasAcceptedTerms = readCheckbox(form, 'terms');
  if (!hasAcceptedTerms) errors.terms = 'terms_required';
  const values = {
    policy_number: policyNumber.value ?? '',
    birth_date: birthDateField.value ?? '',
    email: emailField.value ?? '',
    email_confirmation: confirmation.value ?? '',
    ...(hasAcceptedTerms ? { terms: 'on' } : {}),
  };
  return { errors, values, request: Object.keys(errors).length === 0 ? { policyNumber: policyNumber.value!, birthDate: birthDate!, email: email! } : undefined };
}

/** /register (SPEC 4.5): the form, the one answer for every outcome, and the confirmation link. */
export function registerRoutes(deps: RegisterDeps): Router {
  const { config, registration, flowCookie } = deps;
  const router = new Router({ prefix: '/register' });

  const renderForm = (ctx: Context, flow: SelfServiceFlow, extra: { errors?: Record<string, string>; values?: Record<string, string> } = {}, status = 200) =>
    renderPage(ctx, 'register', { title: 'register.title', csrf: flowCookie.csrfToken(flow), termsUrl: config.termsUrl, ...extra }, status);
  // One screen for every outcome that is not a field error: it must not tell what matched.
  const checkInbox = (ctx: Context) => renderPage(ctx, 'message', { title: 'register.check_inbox_title', message: 'register.check_inbox' });
  const confirmPage = (ctx: Context) => ({ action: `/register/confirm/${ctx.params.token}`, title: 'register.confirm_title', intro: 'register.confirm_intro', minLength: config.passwords.minLength });
  const notCompleted = (ctx: Context, message: string) => renderPage(ctx, 'message', { title: 'register.confirm_title', message }, 400);

  router.get('/', async (ctx) => {
    const flow = await deps.startFlow(ctx, 'registration');
    await renderForm(ctx, flow);
  });

  router.post('/', rateLimited(deps.rateLimits, 'register'), async (ctx) => {
    const form = await parseForm(ctx);
    const flow = await flowCookie.verifiedFlow(ctx, 'registration', form.csrf);
    useFlowLocale(ctx, flow);
    const { errors, values, request } = readRegistration(form, deps.now());
    if (!request) return renderForm(ctx, flow, { errors, values }, 400);
    // Posted twice (or after the first went through): the same answer, nothing mailed again.
    await registration.register(flow, request);
    await checkInbox(ctx);
  });

  router.get('/confirm/:token', async (ctx) => {
    const link = await registration.linkState(ctx.params.token!);
    if (link.state === 'invalid') return notCompleted(ctx, 'register.link_invalid');
    useFlowLocale(ctx, link.flow);
    if (link.state === 'already_confirmed') return renderPage(ctx, 'message', { title: 'register.confirm_title', message: 'register.already_confirmed' });
    await renderPasswordForm(ctx, confirmPage(ctx));
  });

  // The link's token is the secret that authorises this form; a CSRF token would add nothing.
  router.post('/confirm/:token', async (ctx) => {
    const { password, confirmation } = readNewPassword(await parseForm(ctx));
    let result;
    try {
      result = await registration.confirm(ctx.params.token!, password, confirmation);
    } catch (error) {
      if (error instanceof PasswordRejected) return renderPasswordForm(ctx, confirmPage(ctx), error);
      throw error;
    }
    if (result.outcome === 'invalid') return notCompleted(ctx, 'register.link_invalid');
    if (result.outcome === 'not_completed') return notCompleted(ctx, 'register.not_completed');
    useFlowLocale(ctx, result.flow);
    if (result.outcome === 'already_confirmed') return renderPage(ctx, 'message', { title: 'register.confirm_title', message: 'register.already_confirmed' });
    await leadOnAfterSuccess(ctx, { provider: deps.provider, flowCookie, flow: result.flow, message: 'register.done' });
  });
  return router;
}
