import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { loadConfig } from '../../src/config/index.js';
import { rotateSigningKeys } from '../../src/domain/signing-keys.js';
import { createLogger } from '../../src/observability/logger.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { Browser } from '../helpers/browser.js';
import { createTestDatabase } from '../helpers/database.js';
import { freePort } from '../helpers/free-port.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { configureRelyingParty, registerRelyingParty } from '../helpers/relying-party.js';
import { startRoutingProxy, type RoutingProxy } from '../helpers/routing-proxy.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import type { TestApp } from '../helpers/test-app.js';

const PASSWORD = 'Sichere-Passw0rt!';
const LOA2 = 'urn:pforte:loa:2';

let redis: RedisServer;
let mail: SmtpCapture;
let proxy: RoutingProxy;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let dataDir: string;
let env: Record<string, string>;
let runtime: Runtime;
const processes: ServerProcess[] = [];

async function startProcess(): Promise<{ process: ServerProcess; port: number }> {
  const port = await freePort();
  const started = await startServerProcess({ ...env, PORT: String(port) });
  processes.push(started);
  return { process: started, port };
}

beforeAll(async () => {
  redis = await startRedisServer();
  mail = await startSmtpCapture();
  proxy = await startRoutingProxy();
  database = await createTestDatabase('multi');
  dataDir = mkdtempSync(join(tmpdir(), 'pforte-multi-'));
  env = {
    ISSUER: proxy.url,
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    SMTP_URL: mail.url,
    COOKIE_SECRETS: randomBytes(32).toString('hex'),
    KEY_ENCRYPTION_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: dataDir,
    SIGNING_KEYS_POLL_SECONDS: '1',
  };
  // The operator's side (accounts, clients, key rotation) on the same Postgres and secrets.
  runtime = await openRuntime(loadConfig({ NODE_ENV: 'test', BCRYPT_COST: '4', ...env }), createLogger({ level: 'silent' }));
});
afterAll(async () => {
  for (const running of processes) running.kill('SIGKILL');
  await Promise.all(processes.map((running) => running.exited));
  await runtime?.close();
  await proxy?.close();
  await mail?.close();
  await redis?.remove();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The kid the ID token was signed with. */
function kidOf(idToken: string): string {
  return (JSON.parse(Buffer.from(idToken.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string }).kid;
}

test('two processes behind one origin: a sign-in split across both survives kill -9 of one; a key rotation and a client change reach both', async () => {
  const a = await startProcess();
  const b = await startProcess();
  proxy.setTargets([a.port, b.port]);
  // Only what registerRelyingParty and LoginFlow use of a test app: the origin and the services.
  const origin = { url: proxy.url, services: runtime.services } as unknown as TestApp;
  const rp = await registerRelyingParty(origin, { scopes: ['openid', 'email', 'profile', 'offline_access'] });
  const email = 'zwei.prozesse@example.com';
  const account = await runtime.services.accounts.create({ email, password: PASSWORD });

  const flow = new LoginFlow(origin, rp, new Browser(proxy.url, { 'Accept-Language': 'en' }));
  proxy.use(0);
  await flow.startAuthorization({ acr_values: LOA2, scope: 'openid email offline_access' });
  proxy.use(1);
  await flow.showPage();
  await flow.submitPassword(email, PASSWORD);
  proxy.use(0);
  expect(await flow.showPage()).toContain('TAN');

  // Process A dies mid-flow, without a chance to clean up.
  a.process.kill('SIGKILL');
  expect((await a.process.exited).signal).toBe('SIGKILL');
  proxy.use(1);
  await flow.submit('tan', { tan: await mail.lastTanFor(email) });
  const tokens = await flow.finishAtCallback();
  expect(tokens.claims()).toMatchObject({ sub: account.id, acr: LOA2 });

  // A replacement process takes over refresh and logout; B answers userinfo.
  const c = await startProcess();
  proxy.setTargets([c.port, b.port]);
  proxy.use(0);
  const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
  proxy.use(1);
  expect((await oidc.fetchUserInfo(rp.config, refreshed.access_token, account.id)).email).toBe(email);

  // A key rotation written to Postgres (as by the CLI) is in force on both within the poll.
  const [newKid] = await rotateSigningKeys(runtime.services.signingKeys.repo, runtime.services.signingKeys.box);
  let { refresh_token: refreshToken, id_token: idToken } = refreshed;
  for (const index of [0, 1]) {
    proxy.use(index);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const jwks = await new Browser(proxy.url).get('/jwks');
      if ((jwks.body.keys as Array<{ kid: string }>).some((key) => key.kid === newKid)) break;
      if (Date.now() > deadline) throw new Error(`process ${index} still lacks the new key after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // A relying party that fetches the provider's keys afresh, as after its cache expired.
    const again = await oidc.refreshTokenGrant(await configureRelyingParty(origin, rp.clientId, rp.clientSecret), refreshToken!);
    expect(kidOf(again.id_token!)).toBe(newKid);
    ({ refresh_token: refreshToken, id_token: idToken } = again);
  }

  // A client change made through one place (here: Postgres, as by the CLI) is in force on both.
  const newRedirect = 'https://rp.example.test/second-callback';
  await runtime.services.clients.update(rp.clientId, { redirectUris: [rp.redirectUri, newRedirect] });
  for (const index of [0, 1]) {
    proxy.use(index);
    const deadline = Date.now() + 60_000;
    const probe = new LoginFlow(origin, rp, new Browser(proxy.url));
    for (;;) {
      const res = await probe.browser.get((await probe.authorizationUrl({ redirect_uri: newRedirect })).href);
      if (res.status === 303 && res.headers.location!.startsWith('/interaction/')) break;
      if (Date.now() > deadline) throw new Error(`process ${index} still refuses the new redirect URI after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  proxy.use(0);
  const logout = await flow.browser.get(oidc.buildEndSessionUrl(rp.config, { id_token_hint: idToken! }).href);
  expect(logout.status).toBe(200);
  expect(proxy.served.every((count) => count > 0)).toBe(true);
}, 90_000);
