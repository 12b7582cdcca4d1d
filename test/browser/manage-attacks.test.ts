import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_CLIENT_NAME } from '../../src/demo/routes.js';
import { launchChromium } from '../helpers/chromium.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// /manage in real Chromium as an attacker would try it: markup in every field a member has
// and in the search, forms posted from another origin of the same site (so the session
// cookie goes along and only the CSRF token protects), framing, fields the form does not
// have, and a step-up callback replayed.
const PASSWORD = 'Sichere-Passw0rt!';
const MANAGER = 'mira.manager@example.com';
const VICTIM = 'vera.victim@example.com';
const MARKUP = '<img src=x onerror="window.__xss=1">"><script>window.__xss=2</script>';
let app: TestApp;
let mail: SmtpCapture;
let browser: Browser;
let attacker: Server;
let attackerUrl: string;
let attackerPage = '';
let manager: { context: BrowserContext; page: Page };
let victimId: string;
let foreignId: string;
let orgId: string;
let foreignOrgId: string;

/** Signs the manager in at /demo with the password, then steps up at /manage with the TAN. */
async function managerAtLoa2(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  page.on('dialog', (dialog) => {
    throw new Error(`a dialog opened: ${dialog.message()}`);
  });
  await page.goto(`${app.url}/demo/login?ui_locales=en`);
  await page.getByLabel('Email').fill(MANAGER);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/demo\/callback/);
  mail.clear();
  await page.goto(`${app.url}/manage`);
  await page.waitForURL(/\/interaction\//);
  await page.getByLabel('TAN').fill(await mail.lastTanFor(MANAGER));
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.waitForURL(`${app.url}/manage`);
  return { context, page };
}

const xssRan = (page: Page) => page.evaluate(() => (window as unknown as { __xss?: number }).__xss);

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({ SMTP_URL: mail.url });
  await app.services.clients.create({ name: DEMO_CLIENT_NAME, redirectUris: [`${app.url}/demo/callback`], postLogoutRedirectUris: [`${app.url}/demo`], firstParty: true });
  for (const name of ['user-manager', 'file-manager', 'full-access']) await app.services.roles.create({ name });
  const org = await app.services.organisations.create({ name: 'Makler Süd', grantableRoles: ['user-manager', 'file-manager'] });
  const foreign = await app.services.organisations.create({ name: 'Fremd GmbH', grantableRoles: ['user-manager', 'file-manager', 'full-access'] });
  orgId = org.id;
  foreignOrgId = foreign.id;
  await app.services.accounts.create({ email: MANAGER, password: PASSWORD, name: 'Mira Manager', organisation: org.id, roles: ['user-manager'] });
  victimId = (await app.services.accounts.create({ email: VICTIM, password: PASSWORD, name: 'Vera Victim', organisation: org.id, roles: ['file-manager'] })).id;
  foreignId = (await app.services.accounts.create({ email: 'fritz.fremd@example.com', password: PASSWORD, name: 'Fritz Fremd', organisation: foreign.id })).id;
  // Another origin of the same site (localhost, another port): SameSite=Lax cookies go along.
  attacker = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(attackerPage);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://localhost:${(attacker.address() as { port: number }).port}`;
  browser = await launchChromium();
  manager = await managerAtLoa2();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => attacker?.close(resolve));
  await app?.close();
  await mail?.close();
});

describe('/manage against markup', () => {
  test('markup in a member\'s name and position, and in the search, is shown as text and never runs', async () => {
    const { page } = manager;
    await page.goto(`${app.url}/manage/members/new`);
    await page.getByLabel('Name').fill(MARKUP);
    await page.getByLabel('Email').fill('markup.member@example.com');
    await page.getByLabel('Position').fill(MARKUP.slice(0, 60));
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/manage\/members\/[0-9a-f-]{36}\?done=created/);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(MARKUP);
    expect(await xssRan(page)).toBeUndefined();
    expect(await page.locator('script, img[src="x"]').count()).toBe(0);

    await page.goto(`${app.url}/manage?q=${encodeURIComponent('"><script>window.__xss=3</script>')}`);
    expect(await page.getByLabel('Search').inputValue()).toBe('"><script>window.__xss=3</script>');
    await page.goto(`${app.url}/manage?q=markup`);
    expect(await page.getByRole('link', { name: MARKUP }).count()).toBe(1);
    expect(await xssRan(page)).toBeUndefined();
    expect(await page.locator('script, img[src="x"]').count()).toBe(0);
    // The list's way out: the manager's own account page.
    await page.getByRole('link', { name: 'Your account' }).click();
    await page.waitForURL(`${app.url}/account`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Your account');
  }, 60_000);
});

describe('/manage from another origin', () => {
  test('a form posted from another origin of the same site is refused and changes nothing', async () => {
    const { context } = manager;
    for (const action of ['block', 'sign-out-everywhere', 'revoke-devices']) {
      attackerPage = `<form method="post" action="${app.url}/manage/members/${victimId}/${action}"><input name="x" value="1"></form><script>document.forms[0].submit()</script>`;
      const page = await context.newPage();
      const answer = page.waitForResponse((response) => response.url().startsWith(`${app.url}/manage/members/`));
      await page.goto(attackerUrl);
      expect((await answer).status()).toBe(403);
      await page.close();
    }
    expect(await app.services.accounts.show(VICTIM)).toMatchObject({ status: 'active', roles: ['file-manager'] });
    const events = await app.runtime.db('audit_events').where({ account_id: victimId }).whereIn('type', ['account.blocked', 'account.signed_out', 'devices.revoked']);
    expect(events).toEqual([]);
  }, 60_000);

  test('no page of /manage can be framed by another origin', async () => {
    const { context } = manager;
    const page = await context.newPage();
    const answers: Array<{ url: string; frameOptions: string | undefined; csp: string | undefined; cache: string | undefined }> = [];
    page.on('response', (response) => {
      const headers = response.headers();
      if (response.url().startsWith(`${app.url}/manage`)) answers.push({ url: response.url(), frameOptions: headers['x-frame-options'], csp: headers['content-security-policy'], cache: headers['cache-control'] });
    });
    attackerPage = `<iframe src="${app.url}/manage/members/${victimId}"></iframe><iframe src="${app.url}/manage"></iframe>`;
    await page.goto(attackerUrl);
    await page.waitForLoadState('load');
    expect(answers.length).toBeGreaterThanOrEqual(2);
    for (const answer of answers) {
      expect(answer.frameOptions).toBe('DENY');
      expect(answer.csp).toContain("frame-ancestors 'none'");
      // Members' data stays out of every cache.
      expect(answer.cache).toBe('no-store');
    }
    // Chromium shows nothing of the framed pages.
    for (const frame of page.frames().slice(1)) {
      expect(await frame.locator('button').count()).toBe(0);
    }
    await page.close();
  }, 60_000);
});

describe('/manage with fields the form does not have', () => {
  /** Adds hidden inputs to the page's form with the given button, then presses it. */
  async function submitWith(page: Page, button: string, extra: Record<string, string>) {
    await page.evaluate(
      ({ button: label, extra: fields }) => {
        const form = [...document.querySelectorAll('form')].find((candidate) => candidate.querySelector('button')?.textContent?.trim() === label)!;
        for (const [name, value] of Object.entries(fields)) {
          const input = document.createElement('input');
          input.type = 'hidden';
          input.name = name;
          input.value = value;
          form.append(input);
        }
      },
      { button, extra },
    );
    await page.getByRole('button', { name: button, exact: true }).click();
    await page.waitForLoadState('load');
  }

  test('Add member ignores status, password, agent number and organisation tricks; a role outside the set is refused with a message', async () => {
    const { page } = manager;
    await page.goto(`${app.url}/manage/members/new`);
    await page.getByLabel('Name').fill('Mass Assigned');
    await page.getByLabel('Email').fill('mass.assigned@example.com');
    await submitWith(page, 'Create', { status: 'active', password: PASSWORD, agent_number: '12/345/6789', roles: 'full-access', organisation_id: foreignOrgId });
    await page.waitForURL(/\?done=created/);
    const created = await app.services.accounts.show('mass.assigned@example.com');
    expect(created).toMatchObject({ status: 'pending', organisation_id: orgId, roles: [], agent_number: null });

    await page.goto(`${app.url}/manage/members/new`);
    await page.getByLabel('Name').fill('Not Grantable');
    await page.getByLabel('Email').fill('not.grantable@example.com');
    await submitWith(page, 'Create', { 'role.full-access': 'on' });
    expect(await page.getByRole('alert').innerText()).toBe('The organisation may not grant this role.');
    // The way back to where the manager was.
    await page.getByRole('link', { name: 'Back to the member list' }).click();
    await page.waitForURL(`${app.url}/manage`);
    await expect(app.services.accounts.show('not.grantable@example.com')).rejects.toMatchObject({ code: 'user_not_found' });

    // The organisation field pointed at another organisation: refused, nothing created.
    await page.goto(`${app.url}/manage/members/new`);
    await page.getByLabel('Name').fill('Foreign Org');
    await page.getByLabel('Email').fill('foreign.org@example.com');
    await page.evaluate((id) => {
      (document.querySelector('input[name="organisation"]') as HTMLInputElement).value = id;
    }, foreignOrgId);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForLoadState('load');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).not.toBe('Foreign Org');
    await expect(app.services.accounts.show('foreign.org@example.com')).rejects.toMatchObject({ code: 'user_not_found' });
  }, 60_000);

  test('Save roles with a role outside the set, or a repeated field, changes nothing and says why', async () => {
    const { page } = manager;
    await page.goto(`${app.url}/manage/members/${victimId}`);
    await submitWith(page, 'Save roles', { 'role.full-access': 'on' });
    expect(await page.getByRole('alert').innerText()).toBe('The organisation may not grant this role.');
    await page.getByRole('link', { name: 'Back to the member', exact: true }).click();
    await page.waitForURL(`${app.url}/manage/members/${victimId}`);
    await submitWith(page, 'Save roles', { 'role.file-manager': 'on' });
    expect(await page.getByRole('alert').innerText()).toContain('The request was not understood');
    await page.getByRole('link', { name: 'Back to the member', exact: true }).click();
    await page.waitForURL(`${app.url}/manage/members/${victimId}`);
    expect(await app.services.accounts.show(VICTIM)).toMatchObject({ roles: ['file-manager'] });
  }, 60_000);

  test('the last user manager keeps the role; the refusal says why and leads back to the member', async () => {
    const { page } = manager;
    await page.goto(`${app.url}/manage?q=mira`);
    await page.getByRole('link', { name: 'Mira Manager' }).click();
    await page.getByLabel('user-manager').uncheck();
    await page.getByRole('button', { name: 'Save roles' }).click();
    expect(await page.getByRole('alert').innerText()).toContain('last user manager');
    await page.getByRole('link', { name: 'Back to the member', exact: true }).click();
    expect(await page.getByLabel('user-manager').isChecked()).toBe(true);
    expect(await app.services.accounts.show(MANAGER)).toMatchObject({ roles: ['user-manager'] });
  }, 60_000);

  test('a user manager cannot block their own account: told why, still signed in, back to their page', async () => {
    const { page } = manager;
    await page.goto(`${app.url}/manage?q=mira`);
    await page.getByRole('link', { name: 'Mira Manager' }).click();
    await page.getByRole('button', { name: 'Block', exact: true }).click();
    expect(await page.getByRole('alert').innerText()).toBe('You cannot block your own account.');
    await page.getByRole('link', { name: 'Back to the member', exact: true }).click();
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Mira Manager');
    expect(await app.services.accounts.show(MANAGER)).toMatchObject({ status: 'active' });
  }, 60_000);

  test('a member of another organisation, or any action on them: not found, with the way back to the list', async () => {
    const { page } = manager;
    const answer = await page.goto(`${app.url}/manage/members/${foreignId}`);
    expect(answer?.status()).toBe(404);
    expect(await page.locator('main').innerText()).not.toContain('Fritz');
    await page.getByRole('link', { name: 'Back to the member list' }).click();
    await page.waitForURL(`${app.url}/manage`);
    // The block form of one's own member, pointed at the foreign member.
    await page.goto(`${app.url}/manage/members/${victimId}`);
    await page.evaluate((id) => {
      for (const form of document.querySelectorAll('form')) form.action = form.action.replace(/members\/[0-9a-f-]{36}/, `members/${id}`);
    }, foreignId);
    await page.getByRole('button', { name: 'Block', exact: true }).click();
    expect(await page.getByRole('alert').innerText()).not.toContain('Fritz');
    expect(await page.getByRole('link', { name: 'Back to the member list' }).count()).toBe(1);
    expect(await app.services.accounts.show('fritz.fremd@example.com')).toMatchObject({ status: 'active' });
  }, 60_000);
});
