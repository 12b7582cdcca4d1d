import { z } from 'zod';
import type { OrganisationView } from '../../domain/organisations.js';
import { pageOf, pageQuery, pageSchema } from '../paging.js';
import { changesOf, idParam, route } from '../route.js';

/** Fields are the CLI's flags in snake_case; the organisation service checks the values. */
const organisationFields = {
  name: z.string(),
  /** Parent by id or name; null (on update) makes the organisation a root, like --no-parent. */
  parent: z.string().nullable(),
  /** Replaces the set; members lose roles no longer in it. */
  grantable_roles: z.array(z.string()).max(100),
};
const createBody = z.object({ name: organisationFields.name, parent: z.string().optional(), grantable_roles: organisationFields.grantable_roles.optional() }).strict();
const updateBody = z.object(organisationFields).partial().strict();

/** The organisation service's problem names → JSON fields. */
const FIELDS = { grantableRoles: 'grantable_roles' };

const organisationView = z.object({
  id: z.string(),
  name: z.string(),
  parent_id: z.string().nullable(),
  grantable_roles: z.array(z.string()),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});

const toInput = <T extends { grantable_roles?: string[] }>({ grantable_roles, ...rest }: T) => ({ ...rest, ...(grantable_roles !== undefined ? { grantableRoles: grantable_roles } : {}) });

const tag = 'organisations';
const notFound = 'organisation_not_found' as const;

export const organisationRoutes = [
  route({
    method: 'get',
    path: '/organisations',
    tag,
    summary: 'List organisations, by name',
    query: pageQuery,
    status: 200,
    response: pageSchema(organisationView),
    handle: async ({ services, query }) => pageOf(await services.organisations.list(), (o: OrganisationView) => [o.name.toLowerCase(), o.id], query),
  }),
  route({
    method: 'post',
    path: '/organisations',
    tag,
    summary: 'Create an organisation',
    body: createBody,
    status: 201,
    response: organisationView,
    fields: FIELDS,
    handle: async ({ services, body, actor }) => services.organisations.create(toInput(body), actor),
  }),
  route({
    method: 'get',
    path: '/organisations/{id}',
    tag,
    summary: 'One organisation, by id or name',
    params: idParam,
    status: 200,
    response: organisationView,
    notFound,
    handle: async ({ services, params }) => services.organisations.show(params.id),
  }),
  route({
    method: 'patch',
    path: '/organisations/{id}',
    tag,
    summary: 'Change an organisation; only the given fields change',
    params: idParam,
    body: changesOf(updateBody),
    status: 200,
    response: organisationView,
    notFound,
    fields: FIELDS,
    handle: async ({ services, params, body, actor }) => services.organisations.update(params.id, toInput(body), actor),
  }),
];
