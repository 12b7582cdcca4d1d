import { z } from 'zod';
import { ACR_VALUES } from '../../domain/assurance.js';
import type { Brand, BrandInput } from '../../domain/branding.js';
import { ADMIN_CLIENT, ADMIN_SCOPE, LOGIN_METHODS, SUPPORTED_GRANT_TYPES, SUPPORTED_SCOPES, type ClientInput, type ClientView } from '../../domain/clients.js';
import { pageOf, pageQuery, pageSchema } from '../paging.js';
import { changesOf, idParam, route } from '../route.js';

/**
 * Request fields are the CLI's flags in snake_case (SPEC 6); values are checked by the
 * client service, these schemas only fix the shape (unknown fields are refused).
 */
const clientFields = {
  name: z.string(),
  redirect_uris: z.array(z.string()),
  post_logout_redirect_uris: z.array(z.string()),
  public: z.boolean(),
  grant_types: z.array(z.enum(SUPPORTED_GRANT_TYPES)),
  acr: z.array(z.enum(ACR_VALUES)),
  default_acr_values: z.array(z.enum(ACR_VALUES)),
  min_acr: z.enum(ACR_VALUES),
  device_shortcut: z.boolean(),
  scopes: z.array(z.enum(SUPPORTED_SCOPES)),
  /** null removes it. */
  backchannel_logout_uri: z.string().nullable(),
  first_party: z.boolean(),
  login_method: z.enum(LOGIN_METHODS),
  token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post']),
  pkce: z.boolean(),
  admin: z.boolean(),
  // The brand on the hosted pages (SPEC 4.11); null removes a part. The logo is base64 (PNG or SVG).
  brand_name: z.string().nullable(),
  brand_logo: z.base64().max(400_000).nullable(),
  brand_color: z.string().nullable(),
  support_contact: z.string().nullable(),
  terms_url: z.string().nullable(),
  privacy_url: z.string().nullable(),
};

const createClientBody = z.object({ ...clientFields }).partial().required({ name: true }).strict();
const updateClientBody = z.object({ ...clientFields }).partial().strict();
type ClientBody = z.infer<typeof updateClientBody>;

/** JSON field → the client service's field. */
const CLIENT_FIELDS = {
  name: 'name',
  redirect_uris: 'redirectUris',
  post_logout_redirect_uris: 'postLogoutRedirectUris',
  public: 'isPublic',
  grant_types: 'grantTypes',
  acr: 'acr',
  default_acr_values: 'defaultAcr',
  min_acr: 'minAcr',
  device_shortcut: 'deviceShortcut',
  scopes: 'scopes',
  backchannel_logout_uri: 'backchannelLogoutUri',
  first_party: 'firstParty',
  login_method: 'loginMethod',
  token_endpoint_auth_method: 'tokenEndpointAuthMethod',
  pkce: 'pkceRequired',
  admin: 'admin',
} as const satisfies Partial<Record<keyof ClientBody, keyof ClientInput>>;

const BRAND_FIELDS = {
  brand_name: 'name',
  brand_logo: 'logo',
  brand_color: 'color',
  support_contact: 'supportContact',
  terms_url: 'termsUrl',
  privacy_url: 'privacyUrl',
} as const satisfies Partial<Record<keyof ClientBody, keyof BrandInput>>;

/** The client service's (and brand's) problem names → JSON fields. */
const PROBLEM_FIELDS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(CLIENT_FIELDS).map(([json, field]) => [field, json])),
  ...Object.fromEntries(Object.entries(BRAND_FIELDS).map(([json, field]) => [`brand.${field}`, json])),
};

function toInput(body: ClientBody): { client: Partial<ClientInput>; brand: BrandInput } {
  const client: Record<string, unknown> = {};
  const brand: Record<string, unknown> = {};
  for (const [json, value] of Object.entries(body)) {
    if (value === undefined) continue;
    // null (only backchannel_logout_uri takes it) leaves the field unset: on update, removed.
    if (json in CLIENT_FIELDS) client[CLIENT_FIELDS[json as keyof typeof CLIENT_FIELDS]] = value ?? undefined;
    else if (json === 'brand_logo') brand.logo = value === null ? null : Buffer.from(value as string, 'base64');
    else brand[BRAND_FIELDS[json as keyof typeof BRAND_FIELDS]] = value;
  }
  return { client: client as Partial<ClientInput>, brand: brand as BrandInput };
}

const brandView = z.object({
  name: z.string().optional(),
  color: z.string().optional(),
  support_contact: z.string().optional(),
  terms_url: z.string().optional(),
  privacy_url: z.string().optional(),
  logo_url: z.string().optional(),
});

const clientView = z.object({
  client_id: z.string(),
  name: z.string(),
  type: z.enum(['confidential', 'public']),
  redirect_uris: z.array(z.string()),
  post_logout_redirect_uris: z.array(z.string()),
  grant_types: z.array(z.string()),
  token_endpoint_auth_method: z.string(),
  scopes: z.array(z.string()),
  acr: z.array(z.string()),
  default_acr_values: z.array(z.string()),
  min_acr: z.string(),
  device_shortcut: z.boolean(),
  first_party: z.boolean(),
  login_method: z.string(),
  pkce: z.boolean(),
  admin: z.boolean(),
  backchannel_logout_uri: z.string().nullable(),
  created_at: z.iso.datetime(),
  brand: brandView.optional(),
});
/** Only in the answer to create and rotate-secret: shown once, like the CLI. */
const createdClientView = clientView.extend({ client_secret: z.string().optional() });

/** A client as the API shows it: an allowlist of its metadata, never the secret (unless just made). */
function toClientView(client: ClientView & { brand?: Brand }) {
  const m = client.metadata as Record<string, never>;
  return {
    client_id: client.client_id,
    ...(client.client_secret ? { client_secret: client.client_secret } : {}),
    name: client.name,
    type: m.token_endpoint_auth_method === 'none' ? 'public' : 'confidential',
    redirect_uris: m.redirect_uris ?? [],
    post_logout_redirect_uris: m.post_logout_redirect_uris ?? [],
    grant_types: m.grant_types ?? [],
    token_endpoint_auth_method: m.token_endpoint_auth_method,
    // The admin scope is what `admin` says; left out here so a client read can be written back.
    scopes: typeof m.scope === 'string' ? (m.scope as string).split(' ').filter((scope) => scope !== ADMIN_SCOPE) : [],
    acr: m.allowed_acr_values ?? [],
    default_acr_values: m.default_acr_values ?? [],
    min_acr: m.min_acr,
    device_shortcut: m.device_shortcut !== false,
    first_party: m.first_party === true,
    login_method: m.login_method ?? 'password',
    pkce: m.pkce_required !== false,
    admin: m[ADMIN_CLIENT] === true,
    backchannel_logout_uri: m.backchannel_logout_uri ?? null,
    created_at: client.created_at,
    ...(client.brand
      ? {
          brand: Object.fromEntries(
            Object.entries({ name: client.brand.name, color: client.brand.color, support_contact: client.brand.supportContact, terms_url: client.brand.termsUrl, privacy_url: client.brand.privacyUrl, logo_url: client.brand.logoUrl }).filter(([, v]) => v !== undefined),
          ),
        }
      : {}),
  };
}

const tag = 'clients';
const notFound = 'client_not_found' as const;

export const clientRoutes = [
  route({
    method: 'get',
    path: '/clients',
    tag,
    summary: 'List clients, by name',
    query: pageQuery,
    status: 200,
    response: pageSchema(clientView),
    handle: async ({ services, query }) => {
      const page = pageOf(await services.clients.list(), (c) => [c.name.toLowerCase(), c.client_id], query);
      return { ...page, items: page.items.map(toClientView) };
    },
  }),
  route({
    method: 'post',
    path: '/clients',
    tag,
    summary: 'Register a client; a confidential client\'s secret is in this answer only',
    body: createClientBody,
    status: 201,
    response: createdClientView,
    fields: PROBLEM_FIELDS,
    handle: async ({ services, body, actor }) => {
      const { client, brand } = toInput(body);
      return toClientView(await services.clients.createWithBrand(client as ClientInput, brand, actor));
    },
  }),
  route({
    method: 'get',
    path: '/clients/{id}',
    tag,
    summary: 'One client, by id or name',
    params: idParam,
    status: 200,
    response: clientView,
    notFound,
    handle: async ({ services, params }) => toClientView(await services.clients.showWithBrand(params.id)),
  }),
  route({
    method: 'patch',
    path: '/clients/{id}',
    tag,
    summary: 'Change a client; only the given fields change',
    params: idParam,
    body: changesOf(updateClientBody),
    status: 200,
    response: clientView,
    notFound,
    fields: PROBLEM_FIELDS,
    handle: async ({ services, params, body, actor }) => {
      const { client, brand } = toInput(body);
      return toClientView(await services.clients.updateWithBrand(params.id, client, brand, actor));
    },
  }),
  route({
    method: 'delete',
    path: '/clients/{id}',
    tag,
    summary: 'Delete a client',
    params: idParam,
    status: 204,
    notFound,
    handle: async ({ services, params, actor }) => services.clients.delete(params.id, actor),
  }),
  route({
    method: 'post',
    path: '/clients/{id}/rotate-secret',
    tag,
    summary: 'A new secret for a confidential client, in this answer only; the old one stops working at once',
    params: idParam,
    status: 200,
    response: z.object({ client_id: z.string(), client_secret: z.string() }),
    notFound,
    handle: async ({ services, params, actor }) => services.clients.rotateSecret(params.id, actor),
  }),
  route({
    method: 'post',
    path: '/initial-access-tokens',
    tag,
    summary: 'A single-use initial access token for dynamic client registration (RFC 7591), in this answer only',
    body: z.object({ ttl_hours: z.number().int().optional() }).strict().optional(),
    status: 201,
    response: z.object({ token: z.string(), expires_at: z.iso.datetime() }),
    handle: async ({ services, body, actor }) => services.initialAccessTokens.create({ ttlHours: body?.ttl_hours }, actor),
  }),
];
