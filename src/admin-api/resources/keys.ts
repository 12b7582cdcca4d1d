import { z } from 'zod';
import { pageOf, pageQuery, pageSchema } from '../paging.js';
import { route } from '../route.js';

const keyView = z.object({ kid: z.string(), alg: z.string(), status: z.enum(['signing', 'published']), created_at: z.iso.datetime() });
/** A kid as oidc-provider's JWK thumbprints and pforte's keys have them; anything else names no key. */
const kidParam = z.object({ kid: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/) }).strict();
const tag = 'keys';

/** Signing keys (SPEC 6, 7): every process picks up a rotation or retirement by reloading its keys. */
export const keyRoutes = [
  route({
    method: 'get',
    path: '/keys',
    tag,
    summary: 'The published signing keys: "signing" ones sign, "published" ones only verify older tokens',
    query: pageQuery,
    status: 200,
    response: pageSchema(keyView),
    handle: async ({ services, query }) => pageOf(await services.signingKeys.list(), (k) => [k.created_at.toISOString(), k.kid], query),
  }),
  route({
    method: 'post',
    path: '/keys/rotate',
    tag,
    summary: 'A new key per algorithm signs from now on; the old keys stay published',
    status: 201,
    response: z.object({ items: z.array(keyView) }),
    handle: async ({ services, actor }) => ({ items: await services.signingKeys.rotate(actor) }),
  }),
  route({
    method: 'delete',
    path: '/keys/{kid}',
    tag,
    summary: 'Retire a published (non-signing) key: it leaves the JWKS; retiring the signing key is refused (409)',
    params: kidParam,
    status: 204,
    notFound: 'signing_key_not_found',
    handle: async ({ services, params, actor }) => services.signingKeys.retire(params.kid, actor),
  }),
];
