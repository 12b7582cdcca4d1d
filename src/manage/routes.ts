import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { PHONE_MAX_LENGTH, POSITION_MAX_LENGTH, toAccount } from '../domain/accounts.js';
import type { ManagerActor, MemberService } from '../domain/members.js';
import { SEARCH_MAX_LENGTH } from '../domain/members.js';
import { AppError, ValidationError } from '../errors/index.js';
import { checkedFormOf, csrf, type Csrf } from '../http/csrf.js';
import { renderPage } from '../http/render.js';
import { signedInOf, type SessionGuard } from '../http/require-session.js';
import { DEFAULT_LOCALE, isMessageKey } from '../i18n/index.js';
import type { ManageStepUp } from './step-up.js';

export interface ManageDeps {
  sessions: SessionGuard;
  csrfTokens: Csrf;
  members: MemberService;
  stepUp: ManageStepUp;
}

const LOA2 = 'urn:pforte:loa:2';
/** Checkboxes are named `role.<name>`, one field each: repeated fields stay refused (form-body.ts). */
const ROLE_FIELD = 'role.';

/** The roles a form ticks; the domain refuses names outside the catalogue or the grantable set. */
function rolesOf(form: Record<string, string>): string[] {
  return Object.keys(form).filter((name) => name.startsWith(ROLE_FIELD) && form[name] === 'on').map((name) => name.slice(ROLE_FIELD.length));
}

const managerOf = (ctx: Context): ManagerActor => ctx.state.manager as ManagerActor;
const localeOf = (ctx: Context) => ctx.state.locale ?? DEFAULT_LOCALE;
const memberPath = (id: string) => `/manage/members/${id}`;

/** Hosted user administration (SPEC 5): for accounts holding `user-manager`, at loa:2. */
export function manageRoutes({ sessions, csrfTokens, members, stepUp }: ManageDeps): Router {
  const router = new Router({ prefix: '/manage' });

  /**
   * A page below loa:2 is stepped up there and then (SPEC 5): the TAN, nothing on a trusted
   * device, or a whole sign-in without a session. An account that is no user manager is
   * refused at once rather than asked for a TAN that would not help.
   */
  const pageBelowLoa2 = async (ctx: Context) => {
    const current = await sessions.signedIn(ctx);
    if (current && !(await members.managerActor(current.account))) throw new AppError('forbidden', { message: 'not a user manager' });
    await stepUp.start(ctx);
  };
  /** A form below loa:2 is refused and changes nothing: the step-up starts from a page. */
  const formBelowLoa2 = (ctx: Context) => renderPage(ctx, 'message', { title: 'manage.title', message: 'manage.step_up_needed', link: { href: '/manage', label: 'manage.try_again' } }, 403);
  /** The signed-in account as a user manager, or a 403 page. */
  const asManager: Middleware = async (ctx, next) => {
    const manager = await members.managerActor(signedInOf(ctx).account);
    if (!manager) throw new AppError('forbidden', { message: 'not a user manager' });
    ctx.state.manager = manager;
    await next();
  };
  const page = [sessions.requireSession({ minAcr: LOA2, whenMissing: pageBelowLoa2 }), asManager] as const;
  const form = [sessions.requireSession({ minAcr: LOA2, whenMissing: formBelowLoa2 }), asManager, csrf(csrfTokens)] as const;
  const tokenOf = (ctx: Context) => csrfTokens.tokenFor(signedInOf(ctx).sessionId);

  /**
   * A refusal (a role the organisation may not grant, the last user manager, an expired
   * form) ends on the error page; it offers the way back to where the manager was: the
   * member's page, or the list. Not for "not a user manager": /manage would refuse again.
   */
  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof AppError && error.status < 500 && error.code !== 'forbidden') {
        const member = /^\/manage\/members\/([0-9a-f-]{36})(?:\/[a-z-]+)?$/.exec(ctx.path)?.[1];
        ctx.state.backLink = member && error.status !== 404 ? { href: memberPath(member), label: 'manage.back_to_member' } : { href: '/manage', label: 'manage.back' };
      }
      throw error;
    }
  });

  router.get('/callback', (ctx) => stepUp.callback(ctx));

  router.get('/', ...page, async (ctx) => {
    const search = typeof ctx.query.q === 'string' ? ctx.query.q : '';
    const pageNumber = typeof ctx.query.page === 'string' && /^\d{1,6}$/.test(ctx.query.page) ? Number(ctx.query.page) : 1;
    const result = await members.list(managerOf(ctx), { search, page: pageNumber });
    // A group manager sees members of several organisations: the list says which.
    const showOrganisation = (managerOf(ctx).organisationIds?.length ?? 1) > 1;
    await renderPage(ctx, 'manage', { ...result, members: result.members.map(toAccount), searchMax: SEARCH_MAX_LENGTH, showOrganisation });
  });

  /**
   * The add-member form for one of the manager's organisations (their own unless another is
   * chosen): the roles offered are that organisation's grantable set (SPEC 5).
   */
  async function renderAddForm(ctx: Context, { errors = {}, values = {}, status = 200, organisationId }: { errors?: Record<string, string>; values?: Record<string, string>; status?: number; organisationId?: unknown } = {}) {
    const manager = managerOf(ctx);
    const organisations = await members.organisations(manager);
    const organisation = organisations.find((org) => org.id === organisationId) ?? organisations[0]!;
    await renderPage(ctx, 'manage-add', {
      organisations,
      organisation,
      grantable: await members.grantableRoles(organisation.id),
      csrf: tokenOf(ctx),
      errors,
      values,
      positionMax: POSITION_MAX_LENGTH,
      phoneMax: PHONE_MAX_LENGTH,
    }, status);
  }

  router.get('/members/new', ...page, (ctx) => renderAddForm(ctx, { organisationId: ctx.query.organisation }));

  router.post('/members', ...form, async (ctx) => {
    const manager = managerOf(ctx);
    const fields = checkedFormOf(ctx);
    const input = { name: (fields.name ?? '').trim(), email: (fields.email ?? '').trim(), position: fields.position, phone: fields.phone, roles: rolesOf(fields) };
    try {
      const created = await members.create(manager, fields.organisation ?? manager.organisationId, input, localeOf(ctx));
      ctx.status = 303;
      return ctx.redirect(`${memberPath(created.id)}?done=created`);
    } catch (error) {
      const values = Object.fromEntries(Object.entries(fields).filter(([name]) => name !== 'csrf'));
      const again = { values, organisationId: fields.organisation };
      if (error instanceof ValidationError) return renderAddForm(ctx, { ...again, errors: onlyKnown(error.problems), status: 400 });
      if (error instanceof AppError && error.code === 'email_taken') return renderAddForm(ctx, { ...again, errors: { email: 'email_taken' }, status: 409 });
      throw error;
    }
  });

  router.get('/members/:id', ...page, async (ctx) => {
    const manager = managerOf(ctx);
    const member = await members.member(manager, ctx.params.id!);
    const done = typeof ctx.query.done === 'string' && isMessageKey(`manage.done.${ctx.query.done}`) ? `manage.done.${ctx.query.done}` : undefined;
    await renderPage(ctx, 'manage-member', {
      member: { ...toAccount(member), roles: member.roles, organisation: member.organisation },
      grantable: await members.grantableRoles(member.organisation_id!),
      devices: await members.devices(manager, member.id),
      // What happened in words where there are some (the event type otherwise).
      history: (await members.history(manager, member.id)).map((entry) => ({ ...entry, what: isMessageKey(`manage.event.${entry.type}`) ? `manage.event.${entry.type}` : undefined })),
      csrf: tokenOf(ctx),
      notice: done,
    });
  });

  /** A member action: the domain authorises, then back to the member's page with a notice. */
  const action = (path: string, done: string, run: (manager: ManagerActor, id: string, ctx: Context) => Promise<unknown>) =>
    router.post(`/members/:id/${path}`, ...form, async (ctx) => {
      await run(managerOf(ctx), ctx.params.id!, ctx);
      ctx.status = 303;
      ctx.redirect(`${memberPath(ctx.params.id!)}?done=${done}`);
    });

  action('roles', 'roles_saved', (manager, id, ctx) => members.setRoles(manager, id, rolesOf(checkedFormOf(ctx))));
  action('block', 'blocked', (manager, id) => members.block(manager, id));
  action('unblock', 'unblocked', (manager, id) => members.unblock(manager, id));
  action('unlock', 'unlocked', (manager, id) => members.unlock(manager, id));
  action('sign-out-everywhere', 'signed_out', (manager, id, ctx) => members.signOutEverywhere(manager, id, localeOf(ctx)));
  action('revoke-devices', 'devices_revoked', (manager, id) => members.revokeDevices(manager, id));
  action('resend-activation', 'activation_sent', (manager, id, ctx) => members.resendActivation(manager, id, localeOf(ctx)));
  return router;
}

/** Field problems shown next to a field: codes the pages can say, else a generic one. */
function onlyKnown(problems: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(problems).map(([field, code]) => [field, isMessageKey(`error.${code}`) ? code : 'invalid_input']));
}
