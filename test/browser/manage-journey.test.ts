import AxeBuilder from '@axe-core/playwright';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { type Browser, type Page } from 'playwright-core';
import { DEMO_CLIENT_NAME } from '../../src/demo/routes.js';
import { launchChromium } from '../helpers/chromium.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// A user manager in real Chromium: signs in with a password (loa:1), opens /manage, is
// stepped up with the TAN from the mail, adds a member (Name, Email, Position, Phone, a role:
// the activation mail goes out), then changes a colleague's roles with "Save roles"; the
// colleague's next token carries the new roles.
const PASSWORD = 'Sichere-Passw0rt!';
const MANAGER = 'martha.manager@example.com';
const COLLEAGUE = 'kai.kollege@example.com';
let app: TestApp;
let mail: SmtpCapture;
let browser: Browser;
let rp: RelyingParty;

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({ SMTP_URL: mail.url });
  await app.services.clients.create({ name: DEMO_CLIENT_NAME, redirectUris: [`${app.url}/demo/callback`], postLogoutRedirectUris: [`${app.url}/demo`], firstParty: true });
  rp = await registerRelyingParty(app);
  for (const name of ['user-manager', 'file-manager', 'fleet-manager']) await app.services.roles.create({ name });
  const org = await app.services.organisations.create({ name: 'Makler Nord', grantableRoles: ['user-manager', 'file-manager', 'fleet-manager'] });
  await app.services.accounts.create({ email: MANAGER, password: PASSWORD, name: 'Martha Manager', organisation: org.id, roles: ['user-manager'] });
  await app.services.accounts.create({ email: COLLEAGUE, password: PASSWORD, name: 'Kai Kollege', organisation: org.id, roles: ['file-manager'] });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await mail?.close();
});

/** The colleague signs in afresh through a relying party; the roles of the new ID token. */
async function colleagueRoles(): Promise<unknown> {
  const flow = new LoginFlow(app, rp);
  await flow.startAuthorization({ scope: 'openid roles' });
  await flow.submitPassword(COLLEAGUE, PASSWORD);
  return (await flow.finishAtCallback()).claims()!.roles;
}

/** axe finds no serious or critical violation on the page as it is now (as test/browser/pages.test.ts). */
async function expectAccessible(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
  expect({ url: page.url(), serious }).toEqual({ url: page.url(), serious: [] });
}

async function signInWithPassword(page: Page) {
  await page.goto(`${app.url}/demo/login?ui_locales=en`);
  await page.getByLabel('Email').fill(MANAGER);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/demo\/callback/);
}

test('step-up with the TAN at /manage, add a member, save a colleague\'s roles', async () => {
  const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await signInWithPassword(page);
  mail.clear();

  // loa:1 at /manage: the TAN page of the step-up, no password asked again.
  await page.goto(`${app.url}/manage`);
  await page.waitForURL(/\/interaction\//);
  expect(await page.getByLabel('Password', { exact: true }).count()).toBe(0);
  await page.getByLabel('TAN').fill(await mail.lastTanFor(MANAGER));
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.waitForURL(`${app.url}/manage`);
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Manage users');
  await expectAccessible(page);

  // Add member.
  await page.getByRole('link', { name: 'Add member' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  expect(await page.locator('#email-error').innerText()).toBe('Please enter a valid email address.');
  await expectAccessible(page);
  await page.getByLabel('Name').fill('Nina Neu');
  await page.getByLabel('Email').fill('nina.neu@example.com');
  await page.getByLabel('Position').fill('Claims handler');
  await page.getByLabel('Phone').fill('+49 40 123 456');
  await page.getByLabel('fleet-manager').check();
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/manage\/members\/[0-9a-f-]{36}\?done=created/);
  expect(await page.getByRole('status').innerText()).toContain('The member was created');
  await expectAccessible(page);
  expect(await page.locator('dl').innerText()).toMatch(/Claims handler[\s\S]*\+49 40 123 456/);
  expect((await mail.lastTo('nina.neu@example.com')).text).toMatch(/\/activate\/[A-Za-z0-9_-]+/);
  expect(await app.services.accounts.show('nina.neu@example.com')).toMatchObject({ status: 'pending', position: 'Claims handler', phone: '+49 40 123 456', roles: ['fleet-manager'] });

  // Save roles on a colleague's page: the colleague's next token shows them.
  expect(await colleagueRoles()).toEqual(['file-manager']);
  await page.goto(`${app.url}/manage?q=kai`);
  await page.getByRole('link', { name: 'Kai Kollege' }).click();
  await page.getByLabel('file-manager').uncheck();
  await page.getByLabel('fleet-manager').check();
  await page.getByRole('button', { name: 'Save roles' }).click();
  await page.waitForURL(/done=roles_saved/);
  expect(await page.getByRole('status').innerText()).toBe('The roles were saved.');
  expect(await colleagueRoles()).toEqual(['fleet-manager']);
}, 90_000);

test('a wrong TAN at the step-up leaves /manage closed', async () => {
  const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await signInWithPassword(page);
  mail.clear();
  await page.goto(`${app.url}/manage/members/new`);
  await page.waitForURL(/\/interaction\//);
  const tan = await mail.lastTanFor(MANAGER);
  await page.getByLabel('TAN').fill(tan === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  expect(await page.locator('#tan-error').innerText()).toMatch(/TAN/);
  // Cancelled instead: the callback refuses, /manage stays behind the step-up.
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.waitForURL(/\/manage\/callback\?error=/);
  expect(await page.getByRole('status').innerText()).toContain('The sign-in with TAN was not completed');
  const again = await page.goto(`${app.url}/manage`);
  expect(page.url()).toMatch(/\/interaction\//);
  expect(again?.status()).toBe(200);
}, 90_000);
