import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { ConfigError, type Config } from '../../src/config/index.js';
import { AppError } from '../../src/errors/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { openRuntime } from '../../src/runtime.js';
import { verifyProviderJwt } from '../helpers/jwt.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const PASSWORD = 'Sichere-Passw0rt!';

async function signIn(app: TestApp, rp: RelyingParty, email: string) {
  const flow = new LoginFlow(app, rp);
  await flow.startAuthorization();
  await flow.submitPassword(email, PASSWORD);
  return { flow, tokens: await flow.finishAtCallback() };
}

const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
const publishedKids = async (app: TestApp) => ((await (await fetch(`${app.url}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

describe('signing key rotation without restart', () => {
  let app: TestApp;
  let rp: RelyingParty;
  beforeAll(async () => {
    app = await startTestApp();
    rp = await registerRelyingParty(app, {});
    await app.services.accounts.create({ email: 'rotation@example.com', password: PASSWORD });
  });
  afterAll(() => app?.close());

  test('a new key signs at once, and an ID token signed before the rotation still verifies against /jwks', async () => {
    const before = await signIn(app, rp, 'rotation@example.com');
    const oldIdToken = before.tokens.id_token!;
    const oldKid = kidOf(oldIdToken);

    const rotated = await app.services.signingKeys.rotate('test');
    expect(rotated.map((k) => k.status)).toEqual(['signing', 'signing']);
    const newKids = rotated.map((k) => k.kid);
    expect(newKids).not.toContain(oldKid);

    const kids = await publishedKids(app);
    expect(kids).toEqual(expect.arrayContaining([oldKid, ...newKids]));
    await expect(verifyProviderJwt(app, oldIdToken)).resolves.toMatchObject({ aud: rp.clientId });

    // A relying party with a fresh JWKS cache (openid-client refetches an unknown kid only after a cooldown).
    const laterRp = await registerRelyingParty(app, {});
    const after = await signIn(app, laterRp, 'rotation@example.com');
    expect(newKids).toContain(kidOf(after.tokens.id_token!));
    await expect(verifyProviderJwt(app, after.tokens.id_token!)).resolves.toMatchObject({ aud: laterRp.clientId });

    // The provider itself still accepts the old token, e.g. as id_token_hint at logout.
    const logout = await after.flow.browser.get(oidc.buildEndSessionUrl(rp.config, { id_token_hint: oldIdToken }).href);
    expect(logout.status).toBe(200);
    expect(logout.text).toContain('name="logout"');

    const list = await app.services.signingKeys.list();
    expect(list.find((k) => k.kid === oldKid)?.status).toBe('published');
  });

  test('retiring the signing key is refused; retiring a published key removes it from /jwks', async () => {
    const list = await app.services.signingKeys.list();
    const signing = list.find((k) => k.status === 'signing')!;
    const published = list.find((k) => k.status === 'published')!;
    await expect(app.services.signingKeys.retire(signing.kid)).rejects.toMatchObject({ code: 'signing_key_in_use', status: 409 });
    await expect(app.services.signingKeys.retire('no-such-kid')).rejects.toBeInstanceOf(AppError);
    expect(await publishedKids(app)).toContain(signing.kid);

    await app.services.signingKeys.retire(published.kid, 'test');
    expect(await publishedKids(app)).not.toContain(published.kid);
    expect(await publishedKids(app)).toContain(signing.kid);
    const events = await app.services.auditRepo.list({ type: 'keys.retired' });
    expect(events[0]).toMatchObject({ actor: 'test', detail: { kid: published.kid } });
  });

  test('reload does nothing while the stored keys are unchanged', async () => {
    expect(await app.services.signingKeys.reload()).toBe(false);
  });
});

describe('KEY_ENCRYPTION_SECRET rotation', () => {
  let app: TestApp;
  const logger = createLogger({ level: 'silent' });
  const withSecrets = (config: Config, secrets: string[]): Config => ({ ...config, keyEncryptionSecret: secrets[0]!, keyEncryptionSecrets: secrets });
  beforeAll(async () => {
    app = await startTestApp();
    await app.services.clients.create({ name: 'Confidential', redirectUris: ['https://rp.example.com/cb'] });
  });
  afterAll(() => app?.close());

  test('a secret that opens nothing stops the start with a message naming the variable', async () => {
    const wrong = randomBytes(32).toString('hex');
    const opening = openRuntime(withSecrets(app.config, [wrong]), logger, { keyPrefix: app.redisPrefix });
    await expect(opening).rejects.toBeInstanceOf(ConfigError);
    await expect(opening).rejects.toThrow(/KEY_ENCRYPTION_SECRET: opens none of the stored signing keys/);
  });

  test('with the new secret first and the old one after, everything opens; reencrypt makes the old one unnecessary', async () => {
    const old = app.config.keyEncryptionSecret;
    const fresh = randomBytes(32).toString('hex');
    const both = await openRuntime(withSecrets(app.config, [fresh, old]), logger, { keyPrefix: app.redisPrefix });
    try {
      const [client] = await both.services.clients.list();
      expect(await both.services.clients.providerMetadata(client!.client_id)).toHaveProperty('client_secret');
      const keyCount = (await both.services.signingKeys.list()).length;
      expect(await both.services.signingKeys.reencrypt('test')).toBe(keyCount);
      expect(await both.services.clients.reencryptSecrets()).toBe(1);
    } finally {
      await both.close();
    }
    const onlyNew = await openRuntime(withSecrets(app.config, [fresh]), logger, { keyPrefix: app.redisPrefix });
    try {
      const [client] = await onlyNew.services.clients.list();
      expect(await onlyNew.services.clients.providerMetadata(client!.client_id)).toHaveProperty('client_secret');
    } finally {
      await onlyNew.close();
    }
    await expect(openRuntime(withSecrets(app.config, [old]), logger, { keyPrefix: app.redisPrefix })).rejects.toBeInstanceOf(ConfigError);
  });
});
