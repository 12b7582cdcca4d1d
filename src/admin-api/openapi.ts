import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ADMIN_SCOPE } from '../domain/clients.js';
import { ERRORS } from '../errors/index.js';
import type { AdminRoute } from './route.js';

export const ADMIN_API_PREFIX = '/admin/api/v1';

const problem = z.object({
  error: z.enum(Object.keys(ERRORS) as [string, ...string[]]),
  message: z.string(),
  problems: z.record(z.string(), z.string()).optional(),
});

/** The refusals every authenticated route may answer, besides its own. */
const COMMON_REFUSALS: Record<number, string> = {
  401: 'No valid bearer access token (invalid_token)',
  403: `The token lacks ${ADMIN_SCOPE} (insufficient_scope) or its client is not an admin client (forbidden)`,
  429: 'Too many requests',
};

/**
 * The OpenAPI 3.1 document of the admin API, generated from the route table: the same zod
 * schemas the router validates with, so what it describes is what is enforced.
 */
export function openApiDocument(routes: readonly AdminRoute[], serverUrl: string): object {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'adminToken', {
    type: 'oauth2',
    description: `An access token of the client_credentials grant of an admin client, with scope ${ADMIN_SCOPE}`,
    flows: { clientCredentials: { tokenUrl: `${serverUrl}/token`, scopes: { [ADMIN_SCOPE]: 'administer pforte' } } },
  });
  for (const route of routes) {
    const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
    const refusals: Record<string, { description: string; content: ReturnType<typeof json> }> = {};
    const refuse = (status: number, description: string) => {
      refusals[String(status)] = { description, content: json(problem) };
    };
    // Every route validates its query (one without a query schema takes none): all may answer 400.
    refuse(400, 'Invalid input (invalid_input, problems keyed by field or query parameter) or a malformed body (bad_request)');
    for (const [status, description] of Object.entries(COMMON_REFUSALS)) refuse(Number(status), description);
    if (route.notFound) refuse(404, `Unknown id (${route.notFound})`);
    if (route.method !== 'get') refuse(409, 'Conflicts with what is stored');
    if (route.body) {
      refuse(413, 'Body over 1 MiB (payload_too_large)');
      refuse(415, 'Body not application/json (unsupported_media_type)');
    }
    registry.registerPath({
      method: route.method,
      path: route.path,
      summary: route.summary,
      tags: [route.tag],
      security: [{ adminToken: [ADMIN_SCOPE] }],
      request: {
        ...(route.params ? { params: route.params as z.ZodObject } : {}),
        ...(route.query ? { query: route.query as z.ZodObject } : {}),
        ...(route.body ? { body: { required: !route.body.safeParse(undefined).success, content: json(route.body) } } : {}),
      },
      responses: {
        [String(route.status)]: route.status === 204 || !route.response ? { description: 'Done' } : { description: 'Done', content: json(route.response) },
        ...refusals,
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'pforte admin API',
      version: '1',
      description: `Administration of pforte over HTTP (SPEC 6): the same operations as the pforte CLI. Every call is audited with the acting client.`,
    },
    servers: [{ url: `${serverUrl}${ADMIN_API_PREFIX}` }],
  });
}
