import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { DEMO_CLIENT_NAME } from '../../src/demo/routes.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// A uniVersa customer in real Chromium: from the demo portal's login page to "Register",
// the confirmation mail, a password, and signed in at the portal; then "Forgot password?",
// the reset mail, a new password, and signed in again.
let app: TestApp;
let mail: SmtpCapture;
let browser: Browser;
const EMAIL = 'erika.muster@example.com';

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({ SMTP_URL: mail.url, TERMS_URL: 'https://insurer.example/terms' });
  await app.services.clients.create({ name: DEMO_CLIENT_NAME, redirectUris: [`${app.url}/demo/callback`], postLogoutRedirectUris: [`${app.url}/demo`], firstParty: true });
  await app.services.customers.importCsv('policy_number;birth_date;name\nUV 4711;31.12.1980;Erika Muster\n');
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await mail?.close();
});

/** The link of the newest mail to EMAIL, opened in `page`. */
async function openMailedLink(page: Page, path: string): Promise<void> {
  const text = (await mail.lastTo(EMAIL)).text;
  const link = new RegExp(`https?://\\S+${path}/[A-Za-z0-9_-]+`).exec(text)![0];
  await page.goto(link);
}

async function setPassword(page: Page, password: string): Promise<void> {
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Confirm new password').fill(password);
  await page.getByRole('button', { name: 'Save password' }).click();
}

test('register from the login page, confirm by mail, set a password: signed in at the portal; then reset the password', async () => {
  const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await page.goto(`${app.url}/demo/login?ui_locales=en`);
  await page.getByRole('link', { name: 'Register' }).click();
  await page.getByLabel('Policy number').fill('uv4711');
  await page.getByLabel('Date of birth').fill('1980-12-31');
  await page.getByLabel('Email', { exact: true }).fill(EMAIL);
  await page.getByLabel('Confirm email').fill('erika.muster@example.org');
  await page.getByRole('button', { name: 'Register' }).click();
  expect(await page.getByText('The two email addresses are not the same.').count()).toBeGreaterThan(0);
  await page.getByLabel('Confirm email').fill(EMAIL);
  await page.getByLabel('I accept the terms of use').check();
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByRole('heading', { name: 'Please check your inbox' }).waitFor();

  await openMailedLink(page, '/register/confirm');
  await setPassword(page, 'Sonnen-Blume7!');
  await page.waitForURL(/\/demo\/callback/);
  expect(await page.locator('table').innerText()).toContain(EMAIL);

  // The confirmation link once more: success, not an error.
  await openMailedLink(page, '/register/confirm');
  expect(await page.content()).toContain('already confirmed');

  mail.clear();
  await page.goto(`${app.url}/demo/login?ui_locales=en&prompt=login`);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByRole('button', { name: 'Send link' }).click();
  await page.getByRole('heading', { name: 'Please check your inbox' }).waitFor();
  await openMailedLink(page, '/forgot-password/reset');
  await setPassword(page, 'Neues-Kennw0rt#7');
  await page.waitForURL(/\/demo\/callback/);
  expect(await page.locator('table').innerText()).toContain(EMAIL);

  // The old password no longer works, the new one does.
  await page.goto(`${app.url}/demo/login?ui_locales=en&prompt=login`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password', { exact: true }).fill('Sonnen-Blume7!');
  await page.getByRole('button', { name: 'Sign in' }).click();
  expect(await page.content()).toContain('The email address or password is incorrect.');
}, 90_000);
