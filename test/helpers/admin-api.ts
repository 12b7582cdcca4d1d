import type { TestApp } from './test-app.js';

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

/** A token of the client_credentials grant, as any script would get one (HTTP Basic). */
export async function clientCredentialsToken(app: TestApp, clientId: string, clientSecret: string, scope = 'pforte:admin'): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL('/token', app.url), {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** An admin client made as `pforte client create --admin` makes one, and a token of it. */
export async function adminToken(app: TestApp, name = 'Admin script'): Promise<{ clientId: string; clientSecret: string; token: string }> {
  const client = await app.services.clients.create({ name, grantTypes: ['client_credentials'], admin: true });
  const { status, body } = await clientCredentialsToken(app, client.client_id, client.client_secret!);
  if (status !== 200) throw new Error(`no admin token: ${status} ${JSON.stringify(body)}`);
  return { clientId: client.client_id, clientSecret: client.client_secret!, token: body.access_token as string };
}

export interface CallOptions {
  token?: string;
  /** Sent as JSON unless `raw` is given. */
  body?: unknown;
  raw?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

/** One call of the admin API; `path` is below /admin/api/v1. */
export async function adminCall(app: TestApp, method: string, path: string, { token, body, raw, contentType, headers = {} }: CallOptions = {}): Promise<Answer> {
  const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const response = await fetch(new URL(`/admin/api/v1${path}`, app.url), {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(payload !== undefined ? { 'content-type': contentType ?? 'application/json' } : {}),
      ...headers,
    },
    body: typeof payload === 'string' || payload === undefined ? payload : new Uint8Array(payload),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // not JSON: the test looks at `text`
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}
