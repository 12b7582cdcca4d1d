import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import * as oidc from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { startRedisCluster, startSentinelGroup, type RedisTopology } from '../helpers/redis-topologies.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const PASSWORD = 'Sichere-Passw0rt!';

let mail: SmtpCapture;
const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(async () => {
  mail = await startSmtpCapture();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await mail?.close();
});

async function appOn(topology: RedisTopology): Promise<{ app: TestApp; rp: RelyingParty }> {
  cleanups.push(() => topology.remove());
  const app = await startTestApp({ REDIS_URL: topology.url, SMTP_URL: mail.url });
  cleanups.push(() => app.close());
  const rp = await registerRelyingParty(app, { scopes: ['openid', 'email', 'profile', 'agent', 'offline_access'] });
  return { app, rp };
}

let accounts = 0;
async function newAccount(app: TestApp) {
  accounts += 1;
  const agentNumber = `60/321/${String(accounts).padStart(4, '0')}`;
  const email = `cluster${accounts}@example.com`;
  const account = await app.services.accounts.create({ email, password: PASSWORD, agentNumber });
  return { id: account.id, email, agentNumber };
}

/** Password sign-in, code exchange, userinfo, refresh (rotation), then a logout of the session. */
async function passwordJourney(app: TestApp, rp: RelyingParty, flow?: LoginFlow) {
  const account = await newAccount(app);
  const journey = flow ?? new LoginFlow(app, rp);
  if (!flow) await journey.startAuthorization({ scope: 'openid email profile offline_access' });
  await journey.submitPassword(account.email, PASSWORD);
  const tokens = await journey.finishAtCallback();
  expect(tokens.claims()!.sub).toBe(account.id);
  expect((await oidc.fetchUserInfo(rp.config, tokens.access_token, account.id)).email).toBe(account.email);
  const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
  expect(refreshed.claims()!.sub).toBe(account.id);
  // The used refresh token is gone (consumed through the Lua script on its own shard).
  await expect(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)).rejects.toThrow();
  const logout = await journey.browser.get(oidc.buildEndSessionUrl(rp.config, { id_token_hint: refreshed.id_token! }).href);
  expect(logout.status).toBe(200);
  return account;
}

/** Agent number + emailed TAN, trusting the device; then the device shortcut on a second sign-in. */
async function tanJourney(app: TestApp, rp: RelyingParty) {
  const account = await newAccount(app);
  const browser = new Browser(app.url, { 'Accept-Language': 'en' });
  const first = new LoginFlow(app, rp, browser);
  await first.startAuthorization({ login_method: 'agent', ui_locales: 'en' });
  await first.submit('agent', { agent_number: account.agentNumber, email: account.email });
  await first.submit('tan', { tan: '000000' === (await mail.lastTanFor(account.email)) ? '111111' : '000000' }, 400);
  await first.submit('tan', { tan: await mail.lastTanFor(account.email), trust: 'on' });
  expect((await first.finishAtCallback()).claims()!.amr).toEqual(['otp']);
}

/** Keys of this app on each data node: proof that the Cluster, not one node, holds them. */
async function keysPerNode(topology: RedisTopology, prefix: string): Promise<number[]> {
  return Promise.all(topology.nodes.map(async (node) => {
    const redis = new Redis({ port: node.port, host: '127.0.0.1' });
    try {
      return (await redis.keys(`${prefix}*`)).length;
    } finally {
      redis.disconnect();
    }
  }));
}

describe('Redis Cluster and Sentinel (REDIS_URL forms of SPEC 8)', () => {
  test('redis+cluster://: sign-ins end to end on a 3-master Cluster, keys spread over the shards', async () => {
    const cluster = await startRedisCluster();
    const { app, rp } = await appOn(cluster);
    await passwordJourney(app, rp);
    await tanJourney(app, rp);
    const perNode = await keysPerNode(cluster, app.redisPrefix);
    expect(perNode.filter((count) => count > 0).length).toBeGreaterThanOrEqual(2);
  }, 90_000);

  test('redis+sentinel://: the master fails over mid-flow and sign-ins continue', async () => {
    const group = await startSentinelGroup();
    const { app, rp } = await appOn(group);
    await passwordJourney(app, rp);
    const before = await group.masterPort();

    // A sign-in under way when the master changes.
    const flow = new LoginFlow(app, rp);
    await flow.startAuthorization({ scope: 'openid email profile offline_access' });
    await group.failover();
    expect(await group.masterPort()).not.toBe(before);

    await flow.showPage();
    await passwordJourney(app, rp, flow);
    await tanJourney(app, rp);
  }, 90_000);
});
