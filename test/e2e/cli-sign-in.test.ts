import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { LoginFlow } from '../helpers/login-flow.js';
import { configureRelyingParty, REDIRECT_URI, type RelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Administrators register with the CLI; the running pforte serves the result at once.
const run = promisify(execFile);
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

async function pforte(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, ['bin/pforte.js', ...args, '--json'], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: app.config.databaseUrl,
      REDIS_URL: app.config.redisUrl,
      KEY_ENCRYPTION_SECRET: app.config.keyEncryptionSecret,
      COOKIE_SECRETS: app.config.cookieSecrets.join(','),
      DATA_DIR: app.config.dataDir,
      BCRYPT_COST: '4',
      LOG_LEVEL: 'silent',
    },
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

async function cliRelyingParty(): Promise<RelyingParty> {
  const client = await pforte('client', 'create', '--name', `Maklerportal ${Math.random().toString(36).slice(2)}`, '--redirect-uri', REDIRECT_URI, '--first-party');
  return { clientId: client.client_id as string, clientSecret: client.client_secret as string, redirectUri: REDIRECT_URI, config: await configureRelyingParty(app, client.client_id as string, client.client_secret as string) };
}

test('a client and a user created with the CLI (--password --permanent) sign in through the running provider', async () => {
  const rp = await cliRelyingParty();
  const user = await pforte('user', 'create', '--email', 'cli.user@example.com', '--password', 'Cli-Passw0rd!', '--permanent', '--agent-number', '60 999 0001');
  expect(user).toEqual({ id: expect.any(String), email: 'cli.user@example.com', agent_number: '60/999/0001', status: 'active' });
  const flow = new LoginFlow(app, rp);
  await flow.startAuthorization({ scope: 'openid email agent' });
  await flow.submitPassword('cli.user@example.com', 'Cli-Passw0rd!');
  const claims = (await flow.finishAtCallback()).claims()!;
  expect(claims.sub).toBe(user.id);
  expect(claims.agent_number).toBe('60/999/0001');
}, 60_000);

test('a password given with --password is an initial one: the first sign-in asks for a new password', async () => {
  const rp = await cliRelyingParty();
  const user = await pforte('user', 'create', '--email', 'cli.initial@example.com', '--password', 'Admin-Kennt-3s!');
  expect(user).toEqual({ id: expect.any(String), email: 'cli.initial@example.com', agent_number: null, status: 'active' });
  const stored = (await app.services.accounts.findById(user.id as string))!;
  expect(stored.must_change_password).toBe(true);
  const days = (stored.password_expires_at!.getTime() - Date.now()) / 86400_000;
  expect(days).toBeGreaterThan(app.config.passwords.initialPasswordDays - 1);
  expect(days).toBeLessThanOrEqual(app.config.passwords.initialPasswordDays);

  const flow = new LoginFlow(app, rp);
  await flow.startAuthorization({ ui_locales: 'en' });
  const next = await flow.submitPassword('cli.initial@example.com', 'Admin-Kennt-3s!');
  expect(next.location).toMatch(/\/interaction\//);
  expect(await flow.showPage()).toContain('You signed in with an initial password');
  await flow.submit('new-password', { password: 'Admin-Kennt-3s!', confirmation: 'Admin-Kennt-3s!' }, 400);
  await flow.submit('new-password', { password: 'Nur-Ich-Kenne-4s!', confirmation: 'Nur-Ich-Kenne-4s!' });
  expect((await flow.finishAtCallback()).claims()!.sub).toBe(user.id);
}, 60_000);
