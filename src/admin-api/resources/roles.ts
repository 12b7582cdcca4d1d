import { z } from 'zod';
import { pageOf, pageQuery, pageSchema } from '../paging.js';
import { route } from '../route.js';

const roleView = z.object({ id: z.string(), name: z.string(), description: z.string().nullable() });
const tag = 'roles';

/** The role catalogue (SPEC 5): the CLI's `role create|list`. */
export const roleRoutes = [
  route({
    method: 'get',
    path: '/roles',
    tag,
    summary: 'List the role catalogue, by name',
    query: pageQuery,
    status: 200,
    response: pageSchema(roleView),
    handle: async ({ services, query }) => pageOf(await services.roles.list(), (r) => [r.name], query),
  }),
  route({
    method: 'post',
    path: '/roles',
    tag,
    summary: 'Add a role to the catalogue',
    body: z.object({ name: z.string(), description: z.string().optional() }).strict(),
    status: 201,
    response: roleView,
    handle: async ({ services, body, actor }) => services.roles.create(body, actor),
  }),
];
