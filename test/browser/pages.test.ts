import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { DEMO_CLIENT_NAME } from '../../src/demo/routes.js';
import { solidPng } from '../helpers/brand-files.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Every page state in real Chromium: axe finds no serious or critical violation, at 1280 and
// at 360 px, and nothing scrolls sideways at 320 px; screenshots of each go to test-artifacts/screenshots/ for a person to compare
// (not pixel-asserted); all axe findings, minor ones too, to test-artifacts/axe-report.json.
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const SCREENSHOTS = join(ARTIFACTS, 'screenshots');
const WIDTHS = [1280, 360] as const;
const PASSWORD = 'Sichere-Passw0rt!';
const AGENT = { email: 'vera.vermittler@example.com', agentNumber: '60/123/4567' };

let app: TestApp;
let mail: SmtpCapture;
let browser: Browser;
const findings: Record<string, unknown> = {};

function authorizationUrl(clientId: string, params: Record<string, string> = {}): string {
  const url = new URL('/auth', app.url);
  const query = {
    client_id: clientId,
    redirect_uri: `${app.url}/demo/callback`,
    response_type: 'code',
    scope: 'openid email profile',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: 'state-of-the-test',
    ui_locales: 'en',
    ...params,
  };
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url.href;
}

let consentClient: string;
let brandedClient: string;

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({ SMTP_URL: mail.url, TAN_RESEND_COOLDOWN_SECONDS: '0', TAN_TTL_SECONDS: '900', SUPPORT_CONTACT: 'Service desk +49 89 1234-0' });
  const redirectUris = [`${app.url}/demo/callback`];
  await app.services.clients.create({ name: DEMO_CLIENT_NAME, redirectUris, postLogoutRedirectUris: [`${app.url}/demo`], firstParty: true });
  consentClient = (await app.services.clients.create({ name: 'Broker Portal', redirectUris, firstParty: false })).client_id;
  brandedClient = (await app.services.clients.create({
    name: 'ERGO business',
    redirectUris,
    firstParty: true,
    acr: ['urn:pforte:loa:0', 'urn:pforte:loa:1', 'urn:pforte:loa:2'],
    minAcr: 'urn:pforte:loa:0',
    defaultAcr: 'urn:pforte:loa:1',
  })).client_id;
  // A light brand colour on purpose: the generated stylesheet must keep text readable.
  await app.services.clients.updateBrand(brandedClient, {
    name: 'ERGO Business Portal',
    logo: solidPng(160, 40, [142, 0, 56]),
    color: '#ffcc00',
    supportContact: 'ERGO Hotline 0211 477-0',
    termsUrl: 'https://ergo.example/terms',
    privacyUrl: 'https://ergo.example/privacy',
  });
  await app.services.accounts.create({ email: AGENT.email, agentNumber: AGENT.agentNumber, password: PASSWORD, name: 'Vera Vermittler' });
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 60_000);
afterAll(async () => {
  writeFileSync(join(ARTIFACTS, 'axe-report.json'), `${JSON.stringify(findings, null, 2)}\n`);
  await browser?.close();
  await app?.close();
  await mail?.close();
});

/** Runs axe on the page as it is now, at each width, and keeps a screenshot of each. */
async function checkPage(page: Page, name: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    const { violations } = await new AxeBuilder({ page }).analyze();
    findings[`${name}@${width}`] = violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect({ page: name, width, serious: serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`) }).toEqual({ page: name, width, serious: [] });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  // The narrowest phone in use: nothing may need sideways scrolling.
  await page.setViewportSize({ width: 320, height: 640 });
  expect({ page: name, overflowsAt320: await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth) }).toEqual({ page: name, overflowsAt320: false });
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe('every page state passes axe (no serious or critical violations)', () => {
  test('password and agent login, their errors, TAN and its errors, account, logout, help, errors', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${app.url}/demo/login?ui_locales=en`);
    await checkPage(page, 'login-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await checkPage(page, 'login-password-required');
    await page.getByLabel('Email').fill(AGENT.email);
    await page.getByLabel('Password').fill('wrong-Passw0rd!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await checkPage(page, 'login-password-invalid');

    await page.getByRole('link', { name: 'Sign in with agent number' }).click();
    await checkPage(page, 'login-agent');
    await page.getByLabel('Agent number').fill('not a number');
    await page.getByLabel('Email').fill('not an email');
    await page.getByRole('button', { name: 'Continue' }).click();
    await checkPage(page, 'login-agent-errors');
    await page.getByLabel('Agent number').fill(AGENT.agentNumber);
    await page.getByLabel('Email').fill(AGENT.email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('TAN').waitFor();
    await page.locator('details summary').click();
    await checkPage(page, 'tan-agent');
    await page.getByLabel('TAN').fill('12345');
    await page.getByRole('button', { name: 'Continue' }).click();
    await checkPage(page, 'tan-agent-error');
    await page.getByLabel('TAN').fill(await mail.lastTanFor(AGENT.email));
    await page.getByLabel('Trust this device').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/demo\/callback/);
    await checkPage(page, 'demo-signed-in');

    await page.goto(`${app.url}/account?ui_locales=en`);
    await checkPage(page, 'account');
    await page.getByLabel('Current password').fill('Not-The-Passw0rd!');
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Confirm new password').fill('other');
    await page.getByRole('button', { name: 'Save password' }).click();
    await page.getByRole('alert').first().waitFor();
    await checkPage(page, 'account-password-errors');
    await page.goto(`${app.url}/session/end?ui_locales=en`);
    await checkPage(page, 'logout');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForLoadState();
    await checkPage(page, 'logged-out');
    await page.goto(`${app.url}/account?ui_locales=en`);
    await checkPage(page, 'account-signed-out');
    await page.goto(`${app.url}/help?ui_locales=en`);
    await checkPage(page, 'help');
    await page.goto(`${app.url}/no-such-page?ui_locales=en`);
    await checkPage(page, 'error-not-found');
    await page.goto(`${app.url}/interaction/long-gone?ui_locales=en`);
    await checkPage(page, 'error-expired');
    await context.close();
  }, 180_000);

  test('German and Dutch login pages', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    await page.goto(`${app.url}/demo/login?login_method=agent`);
    await checkPage(page, 'login-agent-de');
    await page.goto(`${app.url}/demo/login?ui_locales=nl`);
    await checkPage(page, 'login-password-nl');
    await context.close();
  }, 60_000);

  test('a branded client: login, TAN with "continue without email confirmation", password TAN (step-up)', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(authorizationUrl(brandedClient));
    await checkPage(page, 'branded-login-password');
    await page.goto(authorizationUrl(brandedClient, { login_method: 'agent', acr_values: 'urn:pforte:loa:0' }));
    await page.getByLabel('Agent number').fill(AGENT.agentNumber);
    await page.getByLabel('Email').fill(AGENT.email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Continue without email confirmation' }).waitFor();
    await checkPage(page, 'branded-tan-agent');

    await page.goto(authorizationUrl(brandedClient, { acr_values: 'urn:pforte:loa:2' }));
    await page.getByLabel('Email').fill(AGENT.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('TAN').waitFor();
    await checkPage(page, 'branded-tan-password');
    await context.close();
  }, 120_000);

  test('two clients in one browser, side by side: each tab shows its own logo and colour under the strict CSP', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const [branded, plain] = [await context.newPage(), await context.newPage()];
    const refused: string[] = [];
    for (const page of [branded, plain]) page.on('console', (message) => { if (/Content Security Policy/i.test(message.text())) refused.push(message.text()); });
    await branded.goto(authorizationUrl(brandedClient));
    await plain.goto(`${app.url}/demo/login?ui_locales=en`);
    // The first tab, reloaded after the second started its sign-in, still shows its own brand.
    await branded.reload();
    const look = (page: Page) => page.evaluate(() => {
      const logo = document.querySelector<HTMLImageElement>('img.brand-logo');
      return {
        logoWidth: logo?.naturalWidth ?? 0,
        logoAlt: logo?.alt,
        button: getComputedStyle(document.querySelector('button[type=submit]')!).backgroundColor,
        title: document.title,
      };
    });
    expect(await look(branded)).toEqual({ logoWidth: 160, logoAlt: 'ERGO Business Portal', button: 'rgb(255, 204, 0)', title: 'Sign in – ERGO Business Portal' });
    expect(await look(plain)).toEqual({ logoWidth: 0, logoAlt: undefined, button: 'rgb(11, 92, 173)', title: 'Sign in – pforte' });
    expect(refused).toEqual([]);
    await context.close();
  }, 60_000);

  test('consent and set password (with its errors)', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(authorizationUrl(consentClient));
    await page.getByLabel('Email').fill(AGENT.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    await checkPage(page, 'consent');

    const pending = await app.services.accounts.create({ email: 'new.colleague@example.com', status: 'pending' });
    await page.goto(`${app.url}/activate/${await app.services.onboarding.activationLink(pending)}?ui_locales=en`);
    await checkPage(page, 'set-password');
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Confirm new password').fill('other');
    await page.getByRole('button', { name: 'Save password' }).click();
    await checkPage(page, 'set-password-errors');
    await context.close();
  }, 60_000);

  test('registration and forgot password, with their errors and confirmations', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${app.url}/register?ui_locales=en`);
    await checkPage(page, 'register');
    await page.getByLabel('Policy number').fill('KV-1');
    await page.getByLabel('Email', { exact: true }).fill('someone@example.com');
    await page.getByLabel('Confirm email').fill('other@example.com');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('alert').first().waitFor();
    await checkPage(page, 'register-errors');
    await page.getByLabel('Date of birth').fill('1980-12-31');
    await page.getByLabel('Email', { exact: true }).fill('someone@example.com');
    await page.getByLabel('Confirm email').fill('someone@example.com');
    await page.getByLabel('I accept the terms of use').check();
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('heading', { name: 'Please check your inbox' }).waitFor();
    await checkPage(page, 'register-check-inbox');

    await page.goto(`${app.url}/forgot-password?ui_locales=en`);
    await checkPage(page, 'forgot-password');
    await page.getByLabel('Email').fill('someone@example.com');
    await page.getByRole('button', { name: 'Send link' }).click();
    await page.getByRole('heading', { name: 'Please check your inbox' }).waitFor();
    await checkPage(page, 'forgot-password-sent');
    await context.close();
  }, 60_000);
});
