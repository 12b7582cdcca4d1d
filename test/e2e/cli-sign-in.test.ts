import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { LoginFlow } from '../helpers/login-flow.js';
import { configureRelyingParty, REDIRECT_URI } from '../helpers/relying-party.js';
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

test('a client and a user created with the CLI sign in through the running provider', async () => {
  const client = await pforte('client', 'create', '--name', 'Maklerportal', '--redirect-uri', REDIRECT_URI, '--first-party');
  const user = await pforte('user', 'create', '--email', 'cli.user@example.com', '--password', 'Cli-Passw0rd!', '--agent-number', '60 999 0001');
  expect(user.agent_number).toBe('60/999/0001');
  const rp = { clientId: client.client_id as string, clientSecret: client.client_secret as string, redirectUri: REDIRECT_URI, config: await configureRelyingParty(app, client.client_id as string, client.client_secret as string) };
  const flow = new LoginFlow(app, rp);
  await flow.startAuthorization({ scope: 'openid email agent' });
  await flow.submitPassword('cli.user@example.com', 'Cli-Passw0rd!');
  const claims = (await flow.finishAtCallback()).claims()!;
  expect(claims.sub).toBe(user.id);
  expect(claims.agent_number).toBe('60/999/0001');
}, 60_000);
