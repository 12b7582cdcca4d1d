import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { DEMO_CLIENT_NAME } from '../../src/demo/routes.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// A person in real Chromium: agent login with the TAN from the mail, "Trust this device",
// a second sign-in without TAN, then the device seen and revoked on /account.
let app: TestApp;
let mail: SmtpCapture;
let browser: Browser;

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({ SMTP_URL: mail.url, TAN_RESEND_COOLDOWN_SECONDS: '0' });
  await app.services.clients.create({
    name: DEMO_CLIENT_NAME,
    redirectUris: [`${app.url}/demo/callback`],
    postLogoutRedirectUris: [`${app.url}/demo`],
    firstParty: true,
  });
  await app.services.accounts.create({ email: 'vera.vermittler@example.com', agentNumber: '60/123/4567', name: 'Vera Vermittler' });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await mail?.close();
});

test('agent login with TAN, trusted device, no TAN next time, revoke on /account', async () => {
  const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await page.goto(`${app.url}/demo/login?ui_locales=en&login_method=agent`);
  await page.getByLabel('Agent number').fill('60 123 4567');
  await page.getByLabel('Email').fill('vera.vermittler@example.com');
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByLabel('TAN').fill(await mail.lastTanFor('vera.vermittler@example.com'));
  await page.getByLabel('Trust this device').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  expect(await page.locator('table').innerText()).toContain('["otp"]');

  // A fresh sign-in in the same browser: the device stands in for the TAN.
  mail.clear();
  await page.goto(`${app.url}/demo/login?ui_locales=en&login_method=agent&prompt=login`);
  await page.getByLabel('Agent number').fill('60/123/4567');
  await page.getByLabel('Email').fill('vera.vermittler@example.com');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/demo\/callback/);
  expect(await page.locator('table').innerText()).toContain('["device"]');
  expect(mail.countTo('vera.vermittler@example.com')).toBe(0);

  await page.goto(`${app.url}/account?ui_locales=en`);
  expect(await page.locator('tbody').innerText()).toMatch(/Chrom/);
  await page.getByRole('button', { name: 'Revoke all devices' }).click();
  await page.waitForURL(/done=devices_revoked/);
  expect(await page.content()).toContain('You have no trusted devices.');
}, 60_000);
