import { z } from 'zod';
import { toUserView, type Account } from '../../domain/accounts.js';
import { LOCALES } from '../../i18n/index.js';
import { pageFrom, pageQuery, pageSchema } from '../paging.js';
import { changesOf, idParam, route } from '../route.js';

/** Request fields are the CLI's flags in snake_case; the account service checks the values. */
const createUserBody = z
  .object({
    email: z.string(),
    password: z.string().max(1000).optional(),
    name: z.string().optional(),
    position: z.string().optional(),
    phone: z.string().optional(),
    agent_number: z.string().optional(),
    org: z.string().optional(),
    roles: z.array(z.string()).max(100).optional(),
    activation: z.boolean().optional(),
    initial_password: z.boolean().optional(),
    permanent: z.boolean().optional(),
    locale: z.enum(LOCALES).optional(),
  })
  .strict();

const updateUserBody = z
  .object({
    name: z.string().nullable().optional(),
    /** null (or "") clears them. */
    position: z.string().nullable().optional(),
    phone: z.string().nullable().optional(),
    /** null takes the account out of its organisation (the CLI's --no-org). */
    org: z.string().nullable().optional(),
    roles: z.array(z.string()).max(100).optional(),
  })
  .strict();

const localeBody = z.object({ locale: z.enum(LOCALES).optional() }).strict();

/** The account service's problem names → JSON fields. */
const USER_FIELDS: Record<string, string> = { agentNumber: 'agent_number', organisation: 'org' };

const userView = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  position: z.string().nullable(),
  phone: z.string().nullable(),
  agent_number: z.string().nullable(),
  status: z.enum(['active', 'blocked', 'pending']),
  email_verified: z.boolean(),
  organisation: z.object({ id: z.string(), name: z.string() }).nullable(),
  roles: z.array(z.string()),
  created_at: z.iso.datetime(),
});
const createdUserView = userView.extend({ activation_link: z.string().optional(), initial_password: z.string().optional() });
const statusView = z.object({ id: z.string(), email: z.string(), status: z.enum(['active', 'blocked', 'pending']) });

const toStatusView = (account: Account) => ({ id: account.id, email: account.email, status: account.status });

const tag = 'users';
const notFound = 'user_not_found' as const;

export const userRoutes = [
  route({
    method: 'get',
    path: '/users',
    tag,
    summary: 'List accounts, by email',
    query: pageQuery.extend({ search: z.string().max(254).optional() }).strict(),
    status: 200,
    response: pageSchema(userView),
    handle: async ({ services, query }) => {
      const page = await pageFrom(query, 1, (after, limit) => services.accounts.list({ search: query.search, afterEmail: after?.[0], limit }), (account) => [account.email]);
      return { ...page, items: page.items.map(toUserView) };
    },
  }),
  route({
    method: 'post',
    path: '/users',
    tag,
    summary: 'Create an account; activation_link and initial_password are in this answer only',
    body: createUserBody,
    status: 201,
    response: createdUserView,
    fields: USER_FIELDS,
    handle: async ({ services, body, actor }) => {
      const { agent_number, org, initial_password, ...rest } = body;
      const { account, ...shownOnce } = await services.accountAdministration.create(actor, {
        ...rest,
        ...(agent_number !== undefined ? { agentNumber: agent_number } : {}),
        ...(org !== undefined ? { organisation: org } : {}),
        initialPassword: initial_password,
      });
      return { ...toUserView(await services.accounts.show(account.id)), ...shownOnce };
    },
  }),
  route({
    method: 'get',
    path: '/users/{id}',
    tag,
    summary: 'One account, by id or email',
    params: idParam,
    status: 200,
    response: userView,
    notFound,
    handle: async ({ services, params }) => toUserView(await services.accounts.show(params.id)),
  }),
  route({
    method: 'patch',
    path: '/users/{id}',
    tag,
    summary: 'Change name, organisation or roles; only the given fields change',
    params: idParam,
    body: changesOf(updateUserBody),
    status: 200,
    response: userView,
    notFound,
    fields: USER_FIELDS,
    handle: async ({ services, params, body, actor }) => {
      const { org, ...rest } = body;
      return toUserView(await services.accounts.update(params.id, { ...rest, ...(org !== undefined ? { organisation: org } : {}) }, actor));
    },
  }),
  ...(['block', 'unblock', 'unlock'] as const).map((action) =>
    route({
      method: 'post',
      path: `/users/{id}/${action}`,
      tag,
      summary: {
        block: 'Block an account: no sign-in, and its sessions, refresh and access tokens end at once',
        unblock: 'Unblock an account: active again (pending if it never had a password)',
        unlock: 'Lift every sign-in lock of an account, the hard stop included',
      }[action],
      params: idParam,
      status: 200,
      response: statusView,
      notFound,
      handle: async ({ services, params, actor }) => toStatusView(await services.accountStatus[action](actor, params.id)),
    }),
  ),
  route({
    method: 'post',
    path: '/users/{id}/resend-activation',
    tag,
    summary: 'Mail a pending account a new activation link; the link is in this answer only',
    params: idParam,
    body: localeBody.optional(),
    status: 200,
    response: z.object({ id: z.string(), email: z.string(), activation_link: z.string() }),
    notFound,
    handle: async ({ services, params, body, actor }) => {
      const { account, activation_link } = await services.accountAdministration.resendActivation(actor, params.id, body?.locale);
      return { id: account.id, email: account.email, activation_link };
    },
  }),
];
