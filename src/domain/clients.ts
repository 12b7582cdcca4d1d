import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../errors/index.js';
import type { ClientRow, ClientsRepo } from '../store/pg/clients-repo.js';
import { ACR_VALUES, acrRank, type Acr } from './assurance.js';
import type { AuditActor, AuditLog } from './audit.js';
import { checkBrandInput, type Brand, type BrandInput, type Branding } from './branding.js';
import { clientUriProblem } from './client-uris.js';
import type { SecretBox } from './secret-box.js';
import { createTtlCache } from './ttl-cache.js';

export const SUPPORTED_SCOPES = ['openid', 'email', 'profile', 'roles', 'org', 'agent', 'offline_access'] as const;
export const SUPPORTED_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export const LOGIN_METHODS = ['password', 'agent'] as const;

/**
 * The scope of the admin HTTP API (SPEC 6). Only a client created or updated with `admin`
 * (the CLI's `--admin`) has it in its allowed scopes; the provider refuses it to every other
 * client, and a dynamically registered client can never be made an admin client.
 */
export const ADMIN_SCOPE = 'pforte:admin';
/** Marks an admin client in its stored metadata; like REGISTERED_BY_ADMIN, unknown to the provider. */
export const ADMIN_CLIENT = 'admin_client';

/** Whether stored client metadata is that of an admin client allowed the admin scope. */
export const isAdminClient = (metadata: Record<string, unknown> | undefined): boolean =>
  metadata?.[ADMIN_CLIENT] === true && typeof metadata.scope === 'string' && metadata.scope.split(' ').includes(ADMIN_SCOPE);

/**
 * What a client id can look like: pforte mints base64url ids (and oidc-provider's own ids
 * are nanoids, the same alphabet). Anything else names no client, so it is refused before
 * it reaches a query (a NUL byte, for one, makes Postgres fail).
 */
const CLIENT_ID = /^[A-Za-z0-9_-]{1,128}$/;
export const isClientId = (value: unknown): value is string => typeof value === 'string' && CLIENT_ID.test(value);

/** pforte's own client metadata, registered with oidc-provider as extra properties. */
export const EXTRA_CLIENT_PROPERTIES = [
  'first_party',
  'login_method',
  'allowed_acr_values',
  'min_acr',
  'device_shortcut',
  'pkce_required',
] as const;

/**
 * Marks a client as registered by an administrator (this service: the CLI, later the admin
 * API); only such clients may have back-channel logout reach the internal hosts an operator
 * allows. Deliberately not an extra property of the provider: oidc-provider strips metadata
 * it does not know, so a client registered dynamically can never carry the marker.
 */
export const REGISTERED_BY_ADMIN = 'registered_by_admin';

/** The client metadata holding URIs, all checked by `clientUriProblem`. */
export const CLIENT_URI_PROPERTIES = ['redirect_uris', 'post_logout_redirect_uris', 'backchannel_logout_uri'] as const;

const uri = z
  .string()
  .max(2000)
  .superRefine((value, ctx) => {
    const problem = clientUriProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const acr = z.enum(ACR_VALUES);

const clientInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    redirectUris: z.array(uri).max(20).default([]),
    postLogoutRedirectUris: z.array(uri).max(20).default([]),
    isPublic: z.boolean().default(false),
    grantTypes: z.array(z.enum(SUPPORTED_GRANT_TYPES)).min(1).default(['authorization_code', 'refresh_token']),
    acr: z.array(acr).min(1).default(['urn:pforte:loa:1', 'urn:pforte:loa:2']),
    // One value or a list (`--default-acr loa:1,loa:2`), stored as default_acr_values.
    defaultAcr: z.union([acr.transform((value) => [value]), z.array(acr).min(1)]).default(['urn:pforte:loa:1']),
    minAcr: acr.default('urn:pforte:loa:1'),
    deviceShortcut: z.boolean().default(true),
    scopes: z.array(z.enum(SUPPORTED_SCOPES)).min(1).default([...SUPPORTED_SCOPES]),
    backchannelLogoutUri: uri.optional(),
    firstParty: z.boolean().default(false),
    loginMethod: z.enum(LOGIN_METHODS).default('password'),
    tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
    pkceRequired: z.boolean().default(true),
    admin: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (c.grantTypes.includes('authorization_code') && c.redirectUris.length === 0) problem('redirectUris', 'at least one redirect URI is needed');
    if (c.isPublic && c.grantTypes.includes('client_credentials')) problem('grantTypes', 'a public client cannot use client_credentials');
    if (c.admin && !c.grantTypes.includes('client_credentials')) problem('admin', 'an admin client needs the client_credentials grant');
    if (c.isPublic && !c.pkceRequired) problem('pkceRequired', 'only a confidential client can be exempted from PKCE');
    if (!c.defaultAcr.every((d) => c.acr.includes(d))) problem('defaultAcr', 'must be one of the allowed acr values');
    if (!c.acr.some((a) => acrRank(a) >= acrRank(c.minAcr))) problem('minAcr', 'no allowed acr reaches the minimum');
    if (c.defaultAcr.some((d) => acrRank(d) < acrRank(c.minAcr))) problem('defaultAcr', 'is below the minimum acr');
  });

export type ClientInput = z.input<typeof clientInput>;
type ValidClient = z.output<typeof clientInput>;

export interface ClientView {
  client_id: string;
  client_secret?: string;
  name: string;
  metadata: Record<string, unknown>;
  created_at: Date;
}

function toMetadata(clientId: string, c: ValidClient, { registeredByAdmin }: { registeredByAdmin: boolean }): Record<string, unknown> {
  const usesCode = c.grantTypes.includes('authorization_code');
  const isAdmin = registeredByAdmin && c.admin;
  return {
    client_id: clientId,
    client_name: c.name,
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: c.postLogoutRedirectUris,
    grant_types: c.grantTypes,
    response_types: usesCode ? ['code'] : [],
    token_endpoint_auth_method: c.isPublic ? 'none' : c.tokenEndpointAuthMethod,
    scope: [...c.scopes, ...(isAdmin ? [ADMIN_SCOPE] : [])].join(' '),
    default_acr_values: c.defaultAcr,
    ...(c.backchannelLogoutUri ? { backchannel_logout_uri: c.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
    first_party: c.firstParty,
    login_method: c.loginMethod,
    allowed_acr_values: c.acr,
    min_acr: c.minAcr,
    device_shortcut: c.deviceShortcut,
    pkce_required: c.pkceRequired,
    ...(registeredByAdmin ? { [REGISTERED_BY_ADMIN]: true } : {}),
    ...(isAdmin ? { [ADMIN_CLIENT]: true } : {}),
  };
}

/** The reverse of toMetadata, so `update` can apply a partial change over what is stored. */
function fromMetadata(m: Record<string, unknown>): ValidClient {
  return {
    name: m.client_name as string,
    redirectUris: m.redirect_uris as string[],
    postLogoutRedirectUris: (m.post_logout_redirect_uris as string[]) ?? [],
    isPublic: m.token_endpoint_auth_method === 'none',
    grantTypes: m.grant_types as ValidClient['grantTypes'],
    acr: m.allowed_acr_values as Acr[],
    defaultAcr: m.default_acr_values as Acr[],
    minAcr: m.min_acr as Acr,
    deviceShortcut: m.device_shortcut as boolean,
    scopes: (m.scope as string).split(' ').filter((scope) => scope !== ADMIN_SCOPE) as ValidClient['scopes'],
    backchannelLogoutUri: m.backchannel_logout_uri as string | undefined,
    firstParty: m.first_party as boolean,
    loginMethod: m.login_method as ValidClient['loginMethod'],
    tokenEndpointAuthMethod: (m.token_endpoint_auth_method === 'none' ? 'client_secret_basic' : m.token_endpoint_auth_method) as ValidClient['tokenEndpointAuthMethod'],
    pkceRequired: m.pkce_required !== false,
    admin: m[ADMIN_CLIENT] === true,
  };
}

/** Where each field of ClientInput lives in RFC 7591 client metadata. */
export const REGISTRATION_FIELDS: Readonly<Record<string, string>> = {
  name: 'client_name',
  redirectUris: 'redirect_uris',
  postLogoutRedirectUris: 'post_logout_redirect_uris',
  grantTypes: 'grant_types',
  isPublic: 'token_endpoint_auth_method',
  tokenEndpointAuthMethod: 'token_endpoint_auth_method',
  scopes: 'scope',
  backchannelLogoutUri: 'backchannel_logout_uri',
  defaultAcr: 'default_acr_values',
};

/**
 * A dynamic registration (RFC 7591) in the client service's terms. What a relying party
 * may not choose for itself (first party, PKCE exemption, acr policy, the admin marker) is
 * not read at all: such clients get the defaults of SPEC 6.
 */
function inputFromRegistration(m: Record<string, unknown>, clientId: string): ClientInput {
  const given = <T>(key: string): T | undefined => (m[key] === undefined || m[key] === null ? undefined : (m[key] as T));
  const authMethod = given<string>('token_endpoint_auth_method');
  const scope = given<unknown>('scope');
  return {
    name: given<string>('client_name') ?? clientId,
    redirectUris: given('redirect_uris'),
    postLogoutRedirectUris: given('post_logout_redirect_uris'),
    grantTypes: given('grant_types'),
    isPublic: authMethod === 'none',
    ...(authMethod && authMethod !== 'none' ? { tokenEndpointAuthMethod: authMethod as ClientInput['tokenEndpointAuthMethod'] } : {}),
    scopes: typeof scope === 'string' ? (scope.split(' ').filter(Boolean) as ClientInput['scopes']) : (scope as ClientInput['scopes']),
    backchannelLogoutUri: given('backchannel_logout_uri'),
    defaultAcr: given('default_acr_values'),
    firstParty: false,
    pkceRequired: true,
    admin: false,
  };
}

function validate(input: ClientInput): ValidClient {
  const parsed = clientInput.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? 'client'), i.message])));
  }
  return parsed.data;
}

/** The brand checked, its problems named `brand.<part>` so they never mix with the client's own. */
function checkBrand(brand: BrandInput): void {
  try {
    checkBrandInput(brand);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(Object.fromEntries(Object.entries(error.problems).map(([part, problem]) => [`brand.${part}`, problem])));
  }
}

/** 128 random bits; never starting with '-' or '_', which a command line would take for an option. */
function newClientId(): string {
  let id: string;
  do id = randomBytes(16).toString('base64url');
  while (!/^[A-Za-z0-9]/.test(id));
  return id;
}

export interface ClientServiceDeps {
  repo: ClientsRepo;
  box: SecretBox;
  audit: AuditLog;
  branding: Branding;
  /**
   * How long a process may serve a client's provider metadata without reading Postgres
   * (and decrypting the secret) again: the provider looks a client up several times per
   * sign-in. A change made here is in force here at once, on other processes (the CLI's
   * changes included) once their entry is older than this.
   */
  metadataCacheSeconds?: number;
  now?: () => number;
}

export function createClientService({ repo, box, audit, branding, metadataCacheSeconds = 0, now = Date.now }: ClientServiceDeps) {
  const metadataCache = createTtlCache<Record<string, unknown>>({ ttlMs: metadataCacheSeconds * 1000, now });
  const view = (row: ClientRow, secret?: string): ClientView => ({
    client_id: row.client_id,
    ...(secret ? { client_secret: secret } : {}),
    name: row.name,
    metadata: row.metadata,
    created_at: row.created_at,
  });
  const resolve = async (ref: string): Promise<ClientRow> => {
    const row = await repo.findByIdOrName(ref);
    if (!row) throw new NotFoundError('client');
    return row;
  };

  return {
    async create(input: ClientInput, actor?: AuditActor): Promise<ClientView> {
      const client = validate(input);
      const clientId = newClientId();
      const secret = client.isPublic ? undefined : randomBytes(32).toString('base64url');
      const row = await repo.insert({
        client_id: clientId,
        name: client.name,
        metadata: toMetadata(clientId, client, { registeredByAdmin: true }),
        secret_encrypted: secret ? box.seal(secret) : null,
      });
      await audit.record('client.created', { client_id: clientId, actor: actor ?? null });
      return view(row, secret);
    },

    async update(ref: string, changes: Partial<ClientInput>, actor?: AuditActor): Promise<ClientView> {
      const row = await resolve(ref);
      const client = validate({ ...fromMetadata(row.metadata), ...changes });
      if (client.isPublic !== (row.secret_encrypted === null)) {
        throw new ValidationError({ isPublic: 'a client cannot switch between public and confidential' });
      }
      if (client.admin && row.metadata[REGISTERED_BY_ADMIN] !== true) throw new ValidationError({ admin: 'a dynamically registered client cannot be an admin client' });
      const metadata = toMetadata(row.client_id, client, { registeredByAdmin: row.metadata[REGISTERED_BY_ADMIN] === true });
      const updated = await repo.update(row.client_id, { name: client.name, metadata });
      metadataCache.delete(row.client_id);
      await audit.record('client.updated', { client_id: row.client_id, actor: actor ?? null, detail: { changed: Object.keys(changes) } });
      return view(updated!);
    },

    /** A new secret for a confidential client, shown once; the old one stops working at once. */
    async rotateSecret(ref: string, actor?: AuditActor): Promise<{ client_id: string; client_secret: string }> {
      const row = await resolve(ref);
      if (row.secret_encrypted === null) throw new ValidationError({ client: 'a public client has no secret' });
      const secret = randomBytes(32).toString('base64url');
      await repo.update(row.client_id, { secret_encrypted: box.seal(secret) });
      metadataCache.delete(row.client_id);
      await audit.record('client.secret_rotated', { client_id: row.client_id, actor: actor ?? null });
      return { client_id: row.client_id, client_secret: secret };
    },

    /**
     * A client and its brand in one step (CLI and admin API): the brand is checked first,
     * so a bad one registers nothing.
     */
    async createWithBrand(input: ClientInput, brand: BrandInput, actor?: AuditActor): Promise<ClientView & { brand: Brand }> {
      checkBrand(brand);
      const created = await this.create(input, actor);
      return { ...created, brand: Object.keys(brand).length === 0 ? {} : await branding.set(created.client_id, brand, actor) };
    },

    /** Changes what is given of the client and of its brand; the brand is checked before anything changes. */
    async updateWithBrand(ref: string, changes: Partial<ClientInput>, brand: BrandInput, actor?: AuditActor): Promise<ClientView & { brand: Brand }> {
      checkBrand(brand);
      const updated = Object.keys(changes).length > 0 ? await this.update(ref, changes, actor) : view(await resolve(ref));
      return { ...updated, brand: Object.keys(brand).length > 0 ? await branding.set(updated.client_id, brand, actor) : ((await branding.find(updated.client_id)) ?? {}) };
    },

    show: async (ref: string) => view(await resolve(ref)),
    /** The client with its brand ({} without one). */
    showWithBrand: async (ref: string): Promise<ClientView & { brand: Brand }> => {
      const row = await resolve(ref);
      return { ...view(row), brand: (await branding.find(row.client_id)) ?? {} };
    },
    list: async () => (await repo.list()).map((row) => view(row)),

    async delete(ref: string, actor?: AuditActor): Promise<void> {
      const row = await resolve(ref);
      await repo.delete(row.client_id);
      metadataCache.delete(row.client_id);
      await audit.record('client.deleted', { client_id: row.client_id, actor: actor ?? null });
    },

    /** Sets or removes parts of the client's brand (SPEC 4.11); the rules live in branding.ts. */
    updateBrand: async (ref: string, input: BrandInput, actor?: AuditActor) => branding.set((await resolve(ref)).client_id, input, actor),
    /** The brand its pages show; undefined for a client without one (or no such client). */
    brandFor: async (clientId: string) => (isClientId(clientId) ? branding.find(clientId) : undefined),
    brandLogo: (hash: string) => branding.findLogo(hash),

    /**
     * The metadata a dynamically registered client gets: its request checked by the same
     * rules as the CLI's (problems keyed by RFC 7591 field names), never the admin marker.
     */
    async registrationMetadata(clientId: string, requested: Record<string, unknown>): Promise<Record<string, unknown>> {
      let client: ValidClient;
      try {
        client = validate(inputFromRegistration(requested, clientId));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        throw new ValidationError(Object.fromEntries(Object.entries(error.problems).map(([field, problem]) => [REGISTRATION_FIELDS[field] ?? field, problem])));
      }
      const holder = await repo.findByIdOrName(client.name);
      if (holder && holder.client_id !== clientId) throw new ValidationError({ client_name: 'is taken by another client' });
      return toMetadata(clientId, client, { registeredByAdmin: false });
    },

    /** Stores what the provider's registration endpoint wrote (create and update). */
    async storeRegistered(clientId: string, payload: Record<string, unknown>): Promise<void> {
      const { client_secret: secret, [REGISTERED_BY_ADMIN]: _never, [ADMIN_CLIENT]: _neverAdmin, ...metadata } = payload;
      const existing = await repo.findById(clientId);
      // A registration access token only ever names a dynamically registered client; never let it reach another.
      if (existing?.metadata[REGISTERED_BY_ADMIN] === true) throw new ValidationError({ client_id: 'not a dynamically registered client' });
      const fields = {
        name: typeof metadata.client_name === 'string' ? metadata.client_name : clientId,
        metadata,
        secret_encrypted: typeof secret === 'string' ? box.seal(secret) : null,
      };
      if (existing) await repo.update(clientId, fields);
      else await repo.insert({ client_id: clientId, ...fields });
      metadataCache.delete(clientId);
      await audit.record(existing ? 'client.updated' : 'client.registered', { client_id: clientId, actor: `client:${clientId}` });
    },

    async deleteRegistered(clientId: string): Promise<void> {
      const existing = await repo.findById(clientId);
      if (!existing || existing.metadata[REGISTERED_BY_ADMIN] === true) return;
      await repo.delete(clientId);
      metadataCache.delete(clientId);
      await audit.record('client.deleted', { client_id: clientId, actor: `client:${clientId}` });
    },

    /** Re-seals every client secret under the current (first) KEY_ENCRYPTION_SECRET; returns how many. */
    async reencryptSecrets(): Promise<number> {
      const rows = (await repo.list()).filter((row) => row.secret_encrypted !== null);
      for (const row of rows) {
        await repo.update(row.client_id, { secret_encrypted: box.seal(box.open(row.secret_encrypted!)) });
        metadataCache.delete(row.client_id);
      }
      return rows.length;
    },

    /** Full oidc-provider metadata including the decrypted secret, for the Client model. */
    async providerMetadata(clientId: string): Promise<Record<string, unknown> | undefined> {
      if (!isClientId(clientId)) return undefined;
      return metadataCache.get(clientId, async () => {
        const row = await repo.findById(clientId);
        if (!row) return undefined;
        return row.secret_encrypted ? { ...row.metadata, client_secret: box.open(row.secret_encrypted) } : row.metadata;
      });
    },
  };
}

export type ClientService = ReturnType<typeof createClientService>;
