import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { DEMO_CLIENT_NAME } from '../../src/demo/routes.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Keyboard only (Tab, typing, Enter): from the login page to the relying party, with the
// focus always visible; after a failed submit the focus is on the first field in error,
// whose message is tied to it.
const PASSWORD = 'Sichere-Passw0rt!';
const PERSON = { email: 'kim.keyboard@example.com', agentNumber: '60/555/0001' };
let app: TestApp;
let mail: SmtpCapture;
let browser: Browser;

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({ SMTP_URL: mail.url, TAN_RESEND_COOLDOWN_SECONDS: '0' });
  await app.services.clients.create({ name: DEMO_CLIENT_NAME, redirectUris: [`${app.url}/demo/callback`], postLogoutRedirectUris: [`${app.url}/demo`], firstParty: true });
  await app.services.accounts.create({ email: PERSON.email, agentNumber: PERSON.agentNumber, password: PASSWORD });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await mail?.close();
});

/** What has the focus: its id or accessible text, and whether a focus ring is drawn. */
function focused(page: Page) {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    const style = element ? getComputedStyle(element) : undefined;
    return {
      id: element?.id ?? '',
      text: (element?.textContent ?? '').trim(),
      hasRing: Boolean(style && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2),
    };
  });
}

/** Presses Tab until the control named `text` (a button or link) has the focus; asserts rings on the way. */
async function tabTo(page: Page, text: string): Promise<void> {
  for (let presses = 0; presses < 15; presses += 1) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    expect(now.hasRing).toBe(true);
    if (now.text === text) return;
  }
  throw new Error(`"${text}" never got the focus`);
}

describe('keyboard only', () => {
  test('from the login page through the TAN to the relying party', async () => {
    const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await page.goto(`${app.url}/demo/login?ui_locales=en&acr_values=urn:pforte:loa:2`);
    // The email field has the focus from the start.
    expect((await focused(page)).id).toBe('email');
    await page.keyboard.type(PERSON.email);
    await page.keyboard.press('Tab');
    expect((await focused(page)).id).toBe('password');
    await page.keyboard.type(PASSWORD);
    await tabTo(page, 'Sign in');
    await page.keyboard.press('Enter');

    await page.getByLabel('TAN').waitFor();
    expect((await focused(page)).id).toBe('tan');
    await page.keyboard.type(await mail.lastTanFor(PERSON.email));
    await tabTo(page, 'Continue');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/demo\/callback/);
    expect(await page.locator('table').innerText()).toContain('urn:pforte:loa:2');
  }, 60_000);

  test('the skip link comes first and leads to the content', async () => {
    const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await page.goto(`${app.url}/help?ui_locales=en`);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ text: 'Skip to content', hasRing: true });
  }, 30_000);
});

describe('after a failed submit', () => {
  test('the focus is on the first field in error, and the error is its description', async () => {
    const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await page.goto(`${app.url}/demo/login?ui_locales=en&login_method=agent`);
    await page.getByLabel('Email').fill(PERSON.email);
    await page.getByLabel('Agent number').fill('nonsense');
    await page.keyboard.press('Enter');
    await page.getByText('This agent number is invalid.').first().waitFor();
    expect((await focused(page)).id).toBe('agent_number');
    const field = page.getByLabel('Agent number');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toMatch(/^agent_number-error\b/);
    expect(await page.locator('#agent_number-error').innerText()).toBe('This agent number is invalid.');

    // Only the second field wrong: it gets the focus.
    await page.getByLabel('Agent number').fill(PERSON.agentNumber);
    await page.getByLabel('Email').fill('not-an-email');
    await page.keyboard.press('Enter');
    await page.getByText('Please enter a valid email address.').first().waitFor();
    expect((await focused(page)).id).toBe('email');
    expect(await page.getByLabel('Email').getAttribute('aria-describedby')).toBe('email-error');
  }, 30_000);

  test('a wrong password puts the focus on the password, with its message', async () => {
    const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await page.goto(`${app.url}/demo/login?ui_locales=en`);
    await page.getByLabel('Email').fill(PERSON.email);
    await page.getByLabel('Password').fill('Wrong-Passw0rd!');
    await page.keyboard.press('Enter');
    await page.getByText('The email address or password is incorrect.').first().waitFor();
    expect((await focused(page)).id).toBe('password');
    expect(await page.getByLabel('Password').getAttribute('aria-describedby')).toBe('password-error');
  }, 30_000);
});
