import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const PASSWORD = 'Sichere-Passw0rt!';
let app: TestApp;
let rp: RelyingParty;

beforeAll(async () => {
  app = await startTestApp({ RATE_LIMIT_PASSWORD_PER_IP_PER_MINUTE: '10000' });
  rp = await registerRelyingParty(app);
});
afterAll(() => app?.close());

describe('/help tells what exists', () => {
  test('it names the account page\'s actions, and that a blocked person sees contacts after the right password', async () => {
    const page = await new Browser(app.url, { 'Accept-Language': 'en' }).get('/help');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Someone else may know my password');
    expect(page.text).toContain('&#34;Sign out everywhere&#34;');
    expect(page.text).toContain('When you enter your right password, the sign-in page says that your account is blocked and whom to contact');
    // No promise of things not built: user managers have no pages to unlock or activate with yet.
    expect(page.text).not.toContain('until your user manager unlocks it');
    expect(page.text).not.toContain('they can activate your access again');
  });

  test('what it names is on the account page', async () => {
    const account = await app.services.accounts.create({ email: 'help.reader@example.com', password: PASSWORD });
    const flow = new LoginFlow(app, rp, new Browser(app.url, { 'Accept-Language': 'en' }));
    await flow.startAuthorization();
    await flow.submitPassword(account.email, PASSWORD);
    const page = await flow.browser.get('/account');
    for (const label of ['Change password', 'Current password', 'Sign out everywhere']) expect(page.text).toContain(label);
  });
});

describe('audit of failed sign-ins', () => {
  async function failWith(email: string) {
    const flow = new LoginFlow(app, rp);
    await flow.startAuthorization();
    await flow.submit('password', { email, password: 'Falsch-Passw0rt!' }, 401);
  }

  test('an address that names no account is not stored', async () => {
    await failWith('Typo.Nobody@Example.com');
    const rows = await app.runtime.db('audit_events').where({ type: 'login.failure' }).whereNull('account_id');
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows).toLowerCase()).not.toContain('typo.nobody');
  });

  test('an address that names an account is stored with its account', async () => {
    const account = await app.services.accounts.create({ email: 'known.failure@example.com', password: PASSWORD });
    await failWith('known.failure@example.com');
    const [row] = await app.runtime.db('audit_events').where({ type: 'login.failure', account_id: account.id });
    expect(row.detail).toMatchObject({ method: 'password', email: 'known.failure@example.com' });
  });
});
