import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { DEMO_CLIENT_NAME } from '../../src/demo/routes.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// A person in real Chromium changes their password on /account: a wrong current password
// first, then the right one; the mail arrives and the new password signs in.
const EMAIL = 'paula.passwort@example.com';
const PASSWORD = 'Sichere-Passw0rt!';
const NEW_PASSWORD = 'Neues-Kennw0rt#7';
let app: TestApp;
let mail: SmtpCapture;
let browser: Browser;

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({ SMTP_URL: mail.url });
  await app.services.clients.create({
    name: DEMO_CLIENT_NAME,
    redirectUris: [`${app.url}/demo/callback`],
    postLogoutRedirectUris: [`${app.url}/demo`],
    firstParty: true,
  });
  await app.services.accounts.create({ email: EMAIL, password: PASSWORD, name: 'Paula Passwort' });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await mail?.close();
});

test('change password on /account, with a wrong current password first', async () => {
  const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await page.goto(`${app.url}/demo/login?ui_locales=en`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/demo\/callback/);

  await page.goto(`${app.url}/account?ui_locales=en`);
  await page.getByLabel('Current password').fill('Falsch-Passw0rt!');
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Save password' }).click();
  expect(await page.locator('#current_password-error').innerText()).toBe('The current password is not correct.');

  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Save password' }).click();
  await page.waitForURL(/done=password_changed/);
  expect(await page.getByRole('status').innerText()).toContain('Your password was changed.');
  expect((await mail.lastTo(EMAIL)).subject).toBe('Your password was changed');

  // The new password signs in (prompt=login forces the form again).
  await page.goto(`${app.url}/demo/login?ui_locales=en&prompt=login`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/demo\/callback/);
}, 60_000);
