import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createAdminApi } from '../../src/admin-api/routes.js';
import { createLogger } from '../../src/observability/logger.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

interface Operation {
  summary?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  security?: unknown[];
}
type OpenApi = { openapi: string; info: { title: string; version: string }; servers: Array<{ url: string }>; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };

const METHODS = ['get', 'post', 'patch', 'delete', 'put'];

describe('admin API: the OpenAPI document', () => {
  let app: TestApp;
  let document: OpenApi;
  beforeAll(async () => {
    app = await startTestApp();
    const response = await fetch(new URL('/admin/api/v1/openapi.json', app.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    document = (await response.json()) as OpenApi;
  });
  afterAll(() => app?.close());

  test('is served without a token and looks like OpenAPI 3.1', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(document.servers[0]!.url).toBe(`${app.url}/admin/api/v1`);
    expect(document.components.securitySchemes.adminToken).toMatchObject({ type: 'oauth2' });
    for (const [path, item] of Object.entries(document.paths)) {
      expect(path).toMatch(/^\/[a-z0-9/{}_-]+$/);
      for (const [method, operation] of Object.entries(item)) {
        expect(METHODS).toContain(method);
        expect(operation.summary).toEqual(expect.any(String));
        expect(operation.security).toEqual([{ adminToken: ['pforte:admin'] }]);
        // 400 too: a route without query parameters refuses any (POST /keys/rotate?x=1).
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '401', '403']));
        // Every {param} of the path is described as a required path parameter.
        for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
          expect(operation.parameters).toContainEqual(expect.objectContaining({ name, in: 'path', required: true }));
        }
        // An id in the path may name nothing: that 404 is documented like every other refusal.
        if (path.includes('{')) expect(Object.keys(operation.responses)).toContain('404');
        if (operation.requestBody) expect(Object.keys(operation.requestBody.content)).toEqual(['application/json']);
      }
    }
  });

  test('every route the router mounts is in the document, and every documented route is mounted', () => {
    const { router } = createAdminApi({ provider: {} as never, services: {} as never, logger: createLogger({ level: 'silent' }), issuer: app.url });
    const mounted = new Set<string>();
    for (const layer of router.stack) {
      const path = String(layer.path).replace(/^\/admin\/api\/v1/, '').replace(/:(\w+)/g, '{$1}');
      for (const method of layer.methods.map((m) => m.toLowerCase()).filter((m) => m !== 'head')) mounted.add(`${method} ${path}`);
    }
    mounted.delete('get /openapi.json');
    const documented = new Set(Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`)));
    expect([...mounted].sort()).toEqual([...documented].sort());
    // The resources SPEC 6 names, with the CLI's operations.
    for (const operation of [
      'get /clients', 'post /clients', 'get /clients/{id}', 'patch /clients/{id}', 'delete /clients/{id}', 'post /clients/{id}/rotate-secret',
      'get /users', 'post /users', 'get /users/{id}', 'patch /users/{id}', 'post /users/{id}/block', 'post /users/{id}/unblock', 'post /users/{id}/unlock', 'post /users/{id}/resend-activation',
      'get /organisations', 'post /organisations', 'get /organisations/{id}', 'patch /organisations/{id}',
      'get /roles', 'post /roles', 'post /customers/import', 'post /initial-access-tokens', 'get /keys', 'post /keys/rotate', 'delete /keys/{kid}', 'get /audit',
    ]) {
      expect(documented).toContain(operation);
    }
  });

  test('request bodies are described by the schemas the routes validate with (strict, snake_case)', () => {
    const body = document.paths['/clients']!.post!.requestBody!.content['application/json']!.schema as { properties: Record<string, unknown>; required: string[]; additionalProperties: unknown };
    expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(['name', 'redirect_uris', 'grant_types', 'default_acr_values', 'admin']));
    expect(body.required).toEqual(['name']);
    expect(body.additionalProperties).toBe(false);
    const list = document.paths['/users']!.get!;
    expect(list.parameters!.map((p) => p.name)).toEqual(expect.arrayContaining(['limit', 'cursor', 'search']));
  });
});
