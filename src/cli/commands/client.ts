import { readFileSync, statSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { MAX_LOGO_BYTES } from '../../domain/brand-logo.js';
import type { Brand, BrandInput } from '../../domain/branding.js';
import { ACR_VALUES } from '../../domain/assurance.js';
import { ADMIN_CLIENT, ADMIN_SCOPE, LOGIN_METHODS, SUPPORTED_GRANT_TYPES, SUPPORTED_SCOPES, type ClientInput, type ClientView } from '../../domain/clients.js';
import type { CliContext } from '../context.js';
import { commaList, defineFlags, repeatable } from '../flags.js';
import { formatFields, formatTable, printResult, type OutputOptions } from '../output.js';

/** Values are checked by the client service; defaults (SPEC 6) are defined there too. */
const clientFlags = defineFlags<keyof ClientInput>([
  { flags: '--name <name>', field: 'name', description: 'display name (unique)', requiredOnCreate: true },
  { flags: '--redirect-uri <uri>', field: 'redirectUris', parse: repeatable, description: 'redirect URI, matched exactly (repeatable)' },
  { flags: '--post-logout-redirect-uri <uri>', field: 'postLogoutRedirectUris', parse: repeatable, description: 'post-logout redirect URI (repeatable)' },
  { flags: '--public', field: 'isPublic', description: 'public client: no secret, PKCE required' },
  { flags: '--grant-types <list>', field: 'grantTypes', parse: commaList, description: `comma-separated, of ${SUPPORTED_GRANT_TYPES.join(', ')}` },
  { flags: '--acr <list>', field: 'acr', parse: commaList, description: `allowed acr values, comma-separated, of ${ACR_VALUES.join(', ')}` },
  { flags: '--default-acr <list>', field: 'defaultAcr', parse: commaList, description: 'acr values used when the relying party asks for none, comma-separated' },
  { flags: '--min-acr <acr>', field: 'minAcr', description: 'lowest acr any login to this client may have' },
  { flags: '--no-device-shortcut', field: 'deviceShortcut', description: 'a trusted device never stands in for the TAN' },
  { flags: '--device-shortcut', field: 'deviceShortcut', description: 'a trusted device may stand in for the TAN', updateOnly: true },
  { flags: '--scopes <list>', field: 'scopes', parse: commaList, description: `comma-separated, of ${SUPPORTED_SCOPES.join(', ')}` },
  { flags: '--backchannel-logout-uri <uri>', field: 'backchannelLogoutUri', description: 'back-channel logout endpoint' },
  { flags: '--first-party', field: 'firstParty', description: 'first-party client: skips the consent page' },
  { flags: '--no-first-party', field: 'firstParty', description: 'third-party client: shows the consent page', updateOnly: true },
  { flags: '--login-method <method>', field: 'loginMethod', choices: LOGIN_METHODS, description: 'hosted login journey' },
  { flags: '--token-endpoint-auth-method <method>', field: 'tokenEndpointAuthMethod', description: 'client_secret_basic or client_secret_post' },
  { flags: '--admin', field: 'admin', description: `admin client: may use the admin HTTP API with scope ${ADMIN_SCOPE} (needs the client_credentials grant)` },
  { flags: '--no-admin', field: 'admin', description: 'no longer an admin client', updateOnly: true },
  { flags: '--no-pkce', field: 'pkceRequired', description: 'exempt a legacy confidential client from PKCE' },
  { flags: '--pkce', field: 'pkceRequired', description: 'require PKCE again', updateOnly: true },
]);

/** Reads the logo file, refusing a huge one before reading it; its content is checked by the domain. */
function readLogo(path: string): Buffer | string {
  if (path === '') return path;
  try {
    if (statSync(path).size > MAX_LOGO_BYTES) throw new InvalidArgumentError(`the logo must be at most ${MAX_LOGO_BYTES / 1024} KiB`);
    return readFileSync(path);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error;
    throw new InvalidArgumentError('the logo file cannot be read');
  }
}

/** The client's brand on the hosted pages (SPEC 4.11); checked by the branding rules. */
const brandFlags = defineFlags<keyof BrandInput>([
  { flags: '--brand-name <name>', field: 'name', description: 'name on the hosted pages and the logo\'s alt text ("" removes it)' },
  { flags: '--brand-logo <file>', field: 'logo', parse: readLogo, description: `PNG or SVG (no scripts or external references), at most ${MAX_LOGO_BYTES / 1024} KiB ("" removes it)` },
  { flags: '--brand-color <#RRGGBB>', field: 'color', description: 'primary colour of buttons and links ("" removes it)' },
  { flags: '--support-contact <text>', field: 'supportContact', description: 'who helps with signing in, shown on every page ("" removes it)' },
  { flags: '--terms-url <url>', field: 'termsUrl', description: 'terms of use, https ("" removes it)' },
  { flags: '--privacy-url <url>', field: 'privacyUrl', description: 'privacy notice, https ("" removes it)' },
]);

/**
 * The brand flags given; an empty value ("") removes that part. (commander turns a parser's
 * null into "", hence the mapping here rather than in the parsers.)
 */
const givenBrand = (command: Command): BrandInput =>
  Object.fromEntries(Object.entries(brandFlags.given(command)).map(([part, value]) => [part, typeof value === 'string' && value.trim() === '' ? null : value]));

/** Problems of the client named by its flags, those of its brand (`brand.<part>`) by the brand flags. */
const inFlagTerms = <T>(work: () => Promise<T>) => clientFlags.inFlagTerms(() => brandFlags.inFlagTerms(work, 'brand.'));

const kind = (client: ClientView) => (client.metadata.token_endpoint_auth_method === 'none' ? 'public' : 'confidential');

function describeClient(client: ClientView & { brand?: Brand }): string {
  const m = client.metadata;
  return formatFields({
    client_id: client.client_id,
    name: client.name,
    type: kind(client),
    redirect_uris: m.redirect_uris,
    post_logout_redirect_uris: m.post_logout_redirect_uris,
    grant_types: m.grant_types,
    token_endpoint_auth_method: m.token_endpoint_auth_method,
    scope: m.scope,
    allowed_acr_values: m.allowed_acr_values,
    default_acr_values: m.default_acr_values,
    min_acr: m.min_acr,
    device_shortcut: m.device_shortcut,
    first_party: m.first_party,
    login_method: m.login_method,
    pkce_required: m.pkce_required,
    admin: m[ADMIN_CLIENT] === true,
    backchannel_logout_uri: m.backchannel_logout_uri,
    created_at: client.created_at,
    ...Object.fromEntries(Object.entries(client.brand ?? {}).map(([part, value]) => [`brand.${part}`, value])),
  });
}

export function registerClientCommands(program: Command, ctx: CliContext): void {
  const client = program.command('client').description('register and manage relying parties (CLIENT is an id or the unique name)');

  brandFlags.addTo(clientFlags
    .addTo(client.command('create').description('register a client; a confidential client\'s secret is shown only here'), { mode: 'create' }), { mode: 'create' })
    .option('--json', 'print the result as JSON')
    .action(async (options: OutputOptions, command: Command) => {
      const input = clientFlags.given(command) as ClientInput;
      const brand = givenBrand(command);
      const created = await ctx.withRuntime(({ services }) => inFlagTerms(() => services.clients.createWithBrand(input, brand, ctx.actor)));
      printResult(ctx.io, options, created, (c) =>
        [describeClient(c), ...(c.client_secret ? [`client_secret: ${c.client_secret}`, '(store the secret now; it is not shown again)'] : [])].join('\n'),
      );
    });

  client
    .command('list')
    .description('list clients')
    .option('--json', 'print the result as JSON')
    .action(async (options: OutputOptions) => {
      const clients = await ctx.withRuntime(({ services }) => services.clients.list());
      printResult(ctx.io, options, clients, (list) =>
        list.length === 0 ? 'no clients' : formatTable(['CLIENT_ID', 'TYPE', 'NAME'], list.map((c) => [c.client_id, kind(c), c.name])),
      );
    });

  client
    .command('show')
    .description('show one client')
    .argument('<client>', 'client id or name')
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, options: OutputOptions) => {
      const shown = await ctx.withRuntime(({ services }) => services.clients.showWithBrand(ref));
      printResult(ctx.io, options, shown, describeClient);
    });

  brandFlags.addTo(clientFlags
    .addTo(client.command('update').description('change a client; only the given flags change').argument('<client>', 'client id or name'), { mode: 'update' }), { mode: 'update' })
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, options: OutputOptions, command: Command) => {
      const changes = clientFlags.given(command) as Partial<ClientInput>;
      const brand = givenBrand(command);
      if (Object.keys(changes).length === 0 && Object.keys(brand).length === 0) command.error('nothing to change: give at least one flag (see --help)');
      const updated = await ctx.withRuntime(({ services }) => inFlagTerms(() => services.clients.updateWithBrand(ref, changes, brand, ctx.actor)));
      printResult(ctx.io, options, updated, describeClient);
    });

  client
    .command('rotate-secret')
    .description('give a confidential client a new secret, shown only here; the old one stops working at once')
    .argument('<client>', 'client id or name')
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, options: OutputOptions) => {
      const rotated = await ctx.withRuntime(({ services }) => services.clients.rotateSecret(ref, ctx.actor));
      printResult(ctx.io, options, rotated, (r) => [`client_id: ${r.client_id}`, `client_secret: ${r.client_secret}`, '(store the secret now; it is not shown again)'].join('\n'));
    });

  client
    .command('initial-token')
    .description('initial access tokens for dynamic client registration (RFC 7591)')
    .command('create')
    .description('a single-use token a relying party registers one client with')
    .option('--ttl-hours <n>', 'hours the token is valid (default 24)')
    .option('--json', 'print the result as JSON')
    .action(async (options: OutputOptions & { ttlHours?: string }) => {
      const created = await ctx.withRuntime(({ services }) => services.initialAccessTokens.create({ ttlHours: options.ttlHours }, ctx.actor));
      printResult(ctx.io, options, created, (t) => [`token: ${t.token}`, `expires_at: ${t.expires_at.toISOString()}`, '(single use; it is not shown again)'].join('\n'));
    });

  client
    .command('delete')
    .description('delete a client')
    .argument('<client>', 'client id or name')
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, options: OutputOptions) => {
      const deleted = await ctx.withRuntime(async ({ services }) => {
        // Resolve first so the output names the client even when it was given by name.
        const { client_id, name } = await services.clients.show(ref);
        await services.clients.delete(client_id, ctx.actor);
        return { client_id, name, deleted: true };
      });
      printResult(ctx.io, options, deleted, (d) => `deleted client ${d.client_id} (${d.name})`);
    });
}
