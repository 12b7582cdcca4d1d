import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

async function clientCredentials(app: TestApp, clientId: string, secret: string): Promise<number> {
  const response = await fetch(`${app.url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return response.status;
}

describe('client secret rotation', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  test('the new secret works and the old one stops working at once', async () => {
    const created = await app.services.clients.create({ name: 'Machine', grantTypes: ['client_credentials'] });
    expect(await clientCredentials(app, created.client_id, created.client_secret!)).toBe(200);
    const rotated = await app.services.clients.rotateSecret('Machine', 'test');
    expect(rotated.client_id).toBe(created.client_id);
    expect(rotated.client_secret).not.toBe(created.client_secret);
    expect(await clientCredentials(app, created.client_id, created.client_secret!)).toBe(401);
    expect(await clientCredentials(app, created.client_id, rotated.client_secret)).toBe(200);
    expect((await app.services.auditRepo.list({ type: 'client.secret_rotated' }))[0]).toMatchObject({ client_id: created.client_id, actor: 'test' });
  });

  test('a public client has no secret to rotate', async () => {
    await app.services.clients.create({ name: 'Public', isPublic: true, redirectUris: ['https://public.example/cb'] });
    await expect(app.services.clients.rotateSecret('Public')).rejects.toMatchObject({ code: 'invalid_input', problems: { client: expect.any(String) } });
  });
});

describe('several default acr values', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  test('are stored as default_acr_values and each must be allowed and at least the minimum', async () => {
    const both = ['urn:pforte:loa:1', 'urn:pforte:loa:2'] as const;
    const created = await app.services.clients.create({ name: 'Two defaults', redirectUris: ['https://two.example/cb'], defaultAcr: [...both] });
    expect(created.metadata.default_acr_values).toEqual(both);
    await expect(app.services.clients.create({ name: 'Bad', redirectUris: ['https://bad.example/cb'], acr: ['urn:pforte:loa:2'], minAcr: 'urn:pforte:loa:2', defaultAcr: [...both] }))
      .rejects.toMatchObject({ problems: { defaultAcr: expect.any(String) } });
    const updated = await app.services.clients.update('Two defaults', { name: 'Two defaults renamed' });
    expect(updated.metadata.default_acr_values).toEqual(both);
  });
});
