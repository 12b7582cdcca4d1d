import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import * as oidc from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/** /manage (SPEC 5, issue 9) through its pages, with sessions from real sign-ins (password + TAN). */

const LOA2 = 'urn:pforte:loa:2';
const PASSWORD = 'Sichere-Passw0rt!';
let app: TestApp;
let rp: RelyingParty;
let mail: SmtpCapture;
let counter = 0;

beforeAll(async () => {
  mail = await startSmtpCapture();
  app = await startTestApp({ SMTP_URL: mail.url, TAN_RESEND_COOLDOWN_SECONDS: '0', TAN_MAX_SENDS_PER_HOUR: '1000', RATE_LIMIT_PASSWORD_PER_IP_PER_MINUTE: '10000', LOCKOUT_THRESHOLD: '50' });
  rp = await registerRelyingParty(app);
  for (const name of ['user-manager', 'group-manager', 'file-manager', 'fleet-manager', 'other-lines']) await app.services.roles.create({ name });
});
afterAll(async () => {
  await app?.close();
  await mail?.close();
});
beforeEach(() => mail.clear());

const newBrowser = () => new Browser(app.url, { 'Accept-Language': 'en' });

/** A fresh organisation (granting user-manager, file-manager, fleet-manager) with one user manager. */
async function newOrganisation({ parent, grantable = ['user-manager', 'file-manager', 'fleet-manager'] }: { parent?: string; grantable?: string[] } = {}) {
  counter += 1;
  const org = await app.services.organisations.create({ name: `Org ${counter}`, ...(parent ? { parent } : {}), grantableRoles: grantable });
  const manager = await newMember(org.id, ['user-manager'], `Manager ${counter}`);
  return { org, manager };
}

async function newMember(organisation: string, roles: string[] = [], name = 'Kim Example') {
  counter += 1;
  return app.services.accounts.create({ email: `member${counter}@example.com`, password: PASSWORD, name, organisation, roles });
}

/** A browser signed in with password and TAN (loa:2), at /manage, with its CSRF token. */
async function managerSession(email: string) {
  const flow = new LoginFlow(app, rp, newBrowser());
  await flow.startAuthorization({ acr_values: LOA2, ui_locales: 'en' });
  await flow.submitPassword(email, PASSWORD);
  await flow.submit('tan', { tan: await mail.lastTanFor(email) });
  expect((await flow.finishAtCallback()).claims()!.acr).toBe(LOA2);
  const browser = flow.browser;
  const page = await browser.get('/manage');
  expect(page.status).toBe(200);
  const member = await browser.get('/manage/members/new');
  const csrf = /name="csrf" value="([^"]+)"/.exec(member.text)![1]!;
  return { browser, csrf, page: page.text };
}

async function rolesOf(id: string) {
  return (await app.services.accounts.show(id)).roles;
}

async function statusOf(id: string) {
  return (await app.services.accounts.show(id)).status;
}

describe('the member list', () => {
  test('lists only the organisation, searches by name and email, pages by 25', async () => {
    const { org, manager } = await newOrganisation();
    const other = await newOrganisation();
    const members = [];
    for (let i = 0; i < 26; i += 1) members.push(await newMember(org.id, [], `Paged ${String(i).padStart(2, '0')}`));
    const { browser, page } = await managerSession(manager.email);
    expect(page).toContain('Manage users');
    expect(page).toContain('Add member');
    expect(page).toContain('>Search</label>');
    expect(page).toContain('Page 1 of 2');
    expect(page).not.toContain(other.manager.email);
    const second = await browser.get('/manage?page=2');
    expect(second.text).toContain('Page 2 of 2');
    // Names sort before the manager's ("Manager N" < "Paged NN"), so page 2 has the last one.
    expect(second.text).toContain(members[25]!.email);

    const byName = await browser.get(`/manage?q=${encodeURIComponent('Paged 07')}`);
    expect(byName.text).toContain(members[7]!.email);
    expect(byName.text).not.toContain(members[8]!.email);
    const byEmail = await browser.get(`/manage?q=${encodeURIComponent(members[3]!.email.toUpperCase())}`);
    expect(byEmail.text).toContain(members[3]!.email);
    expect(byEmail.text).toContain('Page 1 of 1');
  });

  test.each([
    ['SQL metacharacters', "' or 1=1; drop table accounts; --"],
    ['LIKE wildcards', '%_%'],
    ['HTML', '<script>alert(1)</script>'],
    ['10 000 characters', 'x'.repeat(10_000)],
    ['control characters', 'a\u0000b\u0007\u001b'],
  ])('a search with %s finds nothing and breaks nothing', async (_case, q) => {
    const { manager } = await newOrganisation();
    const { browser } = await managerSession(manager.email);
    const res = await browser.get(`/manage?q=${encodeURIComponent(q)}`);
    expect(res.status).toBeLessThan(500);
    if (res.status === 200) {
      expect(res.text).toContain('No members found.');
      expect(res.text).not.toContain('<script>alert(1)');
    }
    expect(await statusOf(manager.id)).toBe('active');
  });

  test('the member page shows profile, status and roles', async () => {
    const { org, manager } = await newOrganisation();
    const member = await newMember(org.id, ['file-manager'], 'Dana Member');
    const { browser } = await managerSession(manager.email);
    const res = await browser.get(`/manage/members/${member.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Dana Member');
    expect(res.text).toContain(member.email);
    expect(res.text).toMatch(/name="role\.file-manager" type="checkbox" checked/);
    expect(res.text).toMatch(/name="role\.fleet-manager" type="checkbox" >/);
    expect(res.text).not.toContain('other-lines');
    for (const label of ['Save roles', 'Block', 'Unlock', 'Revoke all devices', 'Sign out everywhere']) expect(res.text).toContain(label);
    expect(res.text).not.toContain('$2');
  });

  test('the member page lists trusted devices and the history, naming the manager who acted', async () => {
    const { org, manager } = await newOrganisation();
    const member = await newMember(org.id, ['file-manager']);
    await app.services.devices.trust(member.id, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0');
    const { browser, csrf } = await managerSession(manager.email);
    const before = await browser.get(`/manage/members/${member.id}`);
    expect(before.text).toContain('Firefox');
    expect(before.text).toContain('Account created');
    expect(before.text).not.toContain('account.created');
    await browser.post(`/manage/members/${member.id}/block`, { csrf });
    const after = await browser.get(`/manage/members/${member.id}`);
    expect(after.text).toMatch(new RegExp(`>Blocked</td>\\s*<td[^>]*>${manager.email.replace('.', '\\.')}</td>`));
    expect(after.text).toContain('Unblock');
  });
});

describe('who may enter', () => {
  test('a loa:1 session is sent to the step-up (manage-step-up.test.ts); its forms are refused (403)', async () => {
    const { manager } = await newOrganisation();
    const flow = new LoginFlow(app, rp, newBrowser());
    await flow.startAuthorization({ ui_locales: 'en' });
    await flow.submitPassword(manager.email, PASSWORD);
    await flow.finishAtCallback();
    const res = await flow.browser.get('/manage');
    expect(res.status).toBe(303);
    expect(new URL(res.headers.location!).searchParams.get('client_id')).toBe('pforte-manage');
    const refused = await flow.browser.post('/manage/members', { csrf: 'x', email: 'a@example.com' });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Managing users needs a sign-in with TAN');
  });

  test('without a session: to the sign-in; an account without user-manager: 403', async () => {
    expect((await newBrowser().get('/manage')).status).toBe(303);
    const { org } = await newOrganisation();
    const plain = await newMember(org.id);
    const flow = new LoginFlow(app, rp, newBrowser());
    await flow.startAuthorization({ acr_values: LOA2 });
    await flow.submitPassword(plain.email, PASSWORD);
    await flow.submit('tan', { tan: await mail.lastTanFor(plain.email) });
    await flow.finishAtCallback();
    expect((await flow.browser.get('/manage')).status).toBe(403);
  });
});

describe('actions on a member', () => {
  test('Save roles grants and withdraws within the grantable set; the audit names the manager', async () => {
    const { org, manager } = await newOrganisation();
    const member = await newMember(org.id, ['file-manager']);
    const { browser, csrf } = await managerSession(manager.email);
    const res = await browser.post(`/manage/members/${member.id}/roles`, { csrf, 'role.fleet-manager': 'on' });
    expect(res.status).toBe(303);
    expect(await rolesOf(member.id)).toEqual(['fleet-manager']);
    const [event] = await app.runtime.db('audit_events').where({ account_id: member.id, type: 'account.updated' });
    expect(event).toMatchObject({ actor_kind: 'user_manager', actor_id: manager.id });
    expect((await browser.get(res.headers.location!)).text).toContain('The roles were saved.');
  });

  test('Block ends the member\'s tokens (userinfo, introspection, refresh), Unblock lets them back, Unlock lifts the hard stop', async () => {
    const { org, manager } = await newOrganisation();
    const member = await newMember(org.id);
    const memberFlow = new LoginFlow(app, rp, newBrowser());
    await memberFlow.startAuthorization({ scope: 'openid email offline_access' });
    await memberFlow.submitPassword(member.email, PASSWORD);
    const tokens = await memberFlow.finishAtCallback();
    const { browser, csrf } = await managerSession(manager.email);

    expect((await browser.post(`/manage/members/${member.id}/block`, { csrf })).status).toBe(303);
    expect(await statusOf(member.id)).toBe('blocked');
    await expect(oidc.fetchUserInfo(rp.config, tokens.access_token, member.id)).rejects.toMatchObject({ status: 401 });
    expect(await oidc.tokenIntrospection(rp.config, tokens.access_token)).toEqual({ active: false });
    await expect(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const [blocked] = await app.runtime.db('audit_events').where({ account_id: member.id, type: 'account.blocked' });
    expect(blocked).toMatchObject({ actor_kind: 'user_manager', actor_id: manager.id });

    expect((await browser.post(`/manage/members/${member.id}/unblock`, { csrf })).status).toBe(303);
    expect(await statusOf(member.id)).toBe('active');

    await app.runtime.db('accounts').where({ id: member.id }).update({ hard_locked_at: new Date() });
    expect((await browser.post(`/manage/members/${member.id}/unlock`, { csrf })).status).toBe(303);
    expect((await app.runtime.db('accounts').where({ id: member.id }).first()).hard_locked_at).toBeNull();
  });

  test('Revoke all devices and Sign out everywhere', async () => {
    const { org, manager } = await newOrganisation();
    const member = await newMember(org.id);
    await app.services.devices.trust(member.id, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0');
    const { browser, csrf } = await managerSession(manager.email);
    expect((await browser.post(`/manage/members/${member.id}/revoke-devices`, { csrf })).status).toBe(303);
    expect(await app.services.devices.list(member.id)).toHaveLength(0);
    const [revoked] = await app.runtime.db('audit_events').where({ account_id: member.id, type: 'device.revoked' });
    expect(revoked).toMatchObject({ actor_kind: 'user_manager', actor_id: manager.id });
    expect((await browser.post(`/manage/members/${member.id}/sign-out-everywhere`, { csrf })).status).toBe(303);
    await mail.lastTo(member.email);
    // The manager's own session lives on.
    expect((await browser.get('/manage')).status).toBe(200);
  });

  test('Add member creates a pending account with grantable roles and mails the activation link; Resend activation mails again', async () => {
    const { org, manager } = await newOrganisation();
    const { browser, csrf } = await managerSession(manager.email);
    const form = await browser.get('/manage/members/new');
    for (const label of ['>Name</label>', '>Email</label>', '>Position</label>', '>Phone</label>', 'Create', 'file-manager']) expect(form.text).toContain(label);
    const res = await browser.post('/manage/members', { csrf, name: 'New Person', email: 'new.person@example.com', position: ' Claims handler ', phone: '+49 (30) 1234-567', 'role.file-manager': 'on' });
    expect(res.status).toBe(303);
    const created = await app.services.accounts.show('new.person@example.com');
    expect(created).toMatchObject({ status: 'pending', name: 'New Person', position: 'Claims handler', phone: '+49 (30) 1234-567', organisation_id: org.id, roles: ['file-manager'] });
    const page = await browser.get(res.headers.location!);
    expect(page.text).toMatch(/<dt>Position<\/dt><dd>Claims handler<\/dd>/);
    expect(page.text).toMatch(/<dt>Phone<\/dt><dd>\+49 \(30\) 1234-567<\/dd>/);
    expect((await mail.lastTo('new.person@example.com')).text).toContain('/activate/');
    const [event] = await app.runtime.db('audit_events').where({ account_id: created.id, type: 'account.created' });
    expect(event).toMatchObject({ actor_kind: 'user_manager', actor_id: manager.id });

    mail.clear();
    expect((await browser.post(`/manage/members/${created.id}/resend-activation`, { csrf })).status).toBe(303);
    expect((await mail.lastTo('new.person@example.com')).text).toContain('/activate/');
  });

  test('Add member with a bad or taken email shows the form again and creates nothing', async () => {
    const { org, manager } = await newOrganisation();
    const { browser, csrf } = await managerSession(manager.email);
    const control = await browser.post('/manage/members', { csrf, name: 'A\u0000B', email: 'control@example.com' });
    expect(control.status).toBe(400);
    const bad = await browser.post('/manage/members', { csrf, name: 'X', email: 'not-an-email' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Please enter a valid email address.');
    for (const name of ['', '   ']) {
      const nameless = await browser.post('/manage/members', { csrf, name, email: 'nameless@example.com' });
      expect(nameless.status).toBe(400);
      expect(nameless.text).toContain('Please fill in this field.');
    }
    const taken = await browser.post('/manage/members', { csrf, name: 'X', email: manager.email });
    expect(taken.status).toBe(409);
    // A NUL byte is refused by the form reader itself (400).
    expect((await browser.post('/manage/members', { csrf, name: 'X', email: 'phone@example.com', phone: '+49\u000030' })).status).toBe(400);
    for (const phone of ['<script>', '12', '+49 30 1234; rm -rf', '1'.repeat(41)]) {
      const res = await browser.post('/manage/members', { csrf, name: 'X', email: 'phone@example.com', phone });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/Please enter a phone number|This entry is too long/);
      expect(res.text).not.toContain('<script>');
    }
    for (const position of ['p'.repeat(201), 'Chief\u0007Officer', 'Chief \u202eOfficer']) {
      expect((await browser.post('/manage/members', { csrf, name: 'X', email: 'position@example.com', position })).status).toBe(400);
    }
    // Bidi overrides and isolates would make a colleague's name read otherwise than stored.
    for (const name of ['Kim\u202egnp.exe', 'Kim \u2066Kollegin\u2069']) {
      expect((await browser.post('/manage/members', { csrf, name, email: 'bidi@example.com' })).status).toBe(400);
    }
    expect((await app.services.members.list((await app.services.members.managerActor(manager))!, {})).total).toBe(1);
    expect(org).toBeDefined();
  });
});

describe('refusals change nothing', () => {
  test('a member of another organisation, a nonexistent and a malformed id: 404', async () => {
    const { manager } = await newOrganisation();
    const other = await newOrganisation();
    const foreign = await newMember(other.org.id, ['file-manager']);
    const { browser, csrf } = await managerSession(manager.email);
    for (const id of [foreign.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' or '1'='1"]) {
      expect((await browser.get(`/manage/members/${encodeURIComponent(id)}`)).status).toBe(404);
      expect((await browser.post(`/manage/members/${encodeURIComponent(id)}/block`, { csrf })).status).toBe(404);
      expect((await browser.post(`/manage/members/${encodeURIComponent(id)}/roles`, { csrf })).status).toBe(404);
    }
    expect(await statusOf(foreign.id)).toBe('active');
    expect(await rolesOf(foreign.id)).toEqual(['file-manager']);
    // Adding a member into another organisation is refused too.
    const res = await browser.post('/manage/members', { csrf, name: 'X', email: 'intruder@example.com', organisation: other.org.id });
    expect(res.status).toBe(403);
    await expect(app.services.accounts.show('intruder@example.com')).rejects.toMatchObject({ code: 'user_not_found' });
  });

  test.each([
    ['not grantable by the organisation', 'other-lines'],
    ['not in the catalogue', 'no-such-role'],
  ])('a role %s: 403', async (_case, role) => {
    const { org, manager } = await newOrganisation();
    const member = await newMember(org.id, ['file-manager']);
    const { browser, csrf } = await managerSession(manager.email);
    const res = await browser.post(`/manage/members/${member.id}/roles`, { csrf, [`role.${role}`]: 'on' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('The organisation may not grant this role.');
    expect(await rolesOf(member.id)).toEqual(['file-manager']);
    const created = await browser.post('/manage/members', { csrf, name: 'X', email: `x-${role}@example.com`, [`role.${role}`]: 'on' });
    expect(created.status).toBe(403);
    await expect(app.services.accounts.show(`x-${role}@example.com`)).rejects.toMatchObject({ code: 'user_not_found' });
  });

  test('the last user manager keeps the role (through /manage and the CLI\'s function)', async () => {
    const { manager } = await newOrganisation();
    const { browser, csrf } = await managerSession(manager.email);
    const res = await browser.post(`/manage/members/${manager.id}/roles`, { csrf, 'role.file-manager': 'on' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('last user manager');
    expect(await rolesOf(manager.id)).toEqual(['user-manager']);
    await expect(app.services.accounts.update(manager.id, { roles: [] }, 'admin')).rejects.toMatchObject({ code: 'last_user_manager' });
  });

  test('two user managers withdrawing each other\'s role at once leave one of them', async () => {
    const { org, manager } = await newOrganisation();
    const second = await newMember(org.id, ['user-manager']);
    const results = await Promise.allSettled([
      app.services.accounts.update(manager.id, { roles: [] }, 'admin'),
      app.services.accounts.update(second.id, { roles: [] }, 'admin'),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((result) => result.status === 'rejected')).toMatchObject({ reason: { code: 'last_user_manager' } });
    expect([...(await rolesOf(manager.id)), ...(await rolesOf(second.id))]).toEqual(['user-manager']);
  });

  test('with a second user manager the role may be withdrawn', async () => {
    const { org, manager } = await newOrganisation();
    const second = await newMember(org.id, ['user-manager']);
    const { browser, csrf } = await managerSession(manager.email);
    expect((await browser.post(`/manage/members/${second.id}/roles`, { csrf })).status).toBe(303);
    expect(await rolesOf(second.id)).toEqual([]);
  });

  test.each([
    ['missing', (_foreign: string) => ({})],
    ['foreign', (foreign: string) => ({ csrf: foreign })],
  ])('a %s CSRF token: 403', async (_case, form) => {
    const { org, manager } = await newOrganisation();
    const member = await newMember(org.id);
    const mine = await managerSession(manager.email);
    const { manager: otherManager } = await newOrganisation();
    const other = await managerSession(otherManager.email);
    const res = await mine.browser.post(`/manage/members/${member.id}/block`, form(other.csrf) as Record<string, string>);
    expect(res.status).toBe(403);
    expect(await statusOf(member.id)).toBe('active');
  });

  test('repeated form fields are refused (400) and change nothing', async () => {
    const { org, manager } = await newOrganisation();
    const member = await newMember(org.id, ['file-manager']);
    const { browser, csrf } = await managerSession(manager.email);
    const body = `csrf=${encodeURIComponent(csrf)}&role.fleet-manager=on&role.fleet-manager=on`;
    const res = await browser.post(`/manage/members/${member.id}/roles`, body);
    expect(res.status).toBe(400);
    expect(await rolesOf(member.id)).toEqual(['file-manager']);
  });
});

describe('group managers', () => {
  test('a group manager who is a user manager administers the descendants; a plain user manager does not', async () => {
    const { org: parent, manager: plainManager } = await newOrganisation({ grantable: ['user-manager', 'group-manager', 'file-manager'] });
    const groupManager = await newMember(parent.id, ['user-manager', 'group-manager'], 'Group Manager');
    const { org: child } = await newOrganisation({ parent: parent.id });
    const childMember = await newMember(child.id, [], 'Child Member');

    const group = await managerSession(groupManager.email);
    expect(group.page).toContain(childMember.email);
    // The list names each member's organisation for a group manager, not for a plain one.
    expect(group.page).toMatch(new RegExp(`${childMember.email.replace('.', '\\.')}</td>\\s*<td data-label="Organisation">${child.name}</td>`));
    expect((await group.browser.post(`/manage/members/${childMember.id}/block`, { csrf: group.csrf })).status).toBe(303);
    expect(await statusOf(childMember.id)).toBe('blocked');

    const plain = await managerSession(plainManager.email);
    expect(plain.page).not.toContain(childMember.email);
    expect(plain.page).not.toContain('data-label="Organisation"');

    // The add form offers the chosen organisation's roles; the child grants no group-manager.
    const ownForm = await group.browser.get('/manage/members/new');
    expect(ownForm.text).toContain('name="role.group-manager"');
    expect(ownForm.text).toContain(`<option value="${child.id}"`);
    const childForm = await group.browser.get(`/manage/members/new?organisation=${child.id}`);
    expect(childForm.text).toContain(`name="organisation" value="${child.id}"`);
    expect(childForm.text).toContain('name="role.fleet-manager"');
    expect(childForm.text).not.toContain('name="role.group-manager"');
    const created = await group.browser.post('/manage/members', { csrf: group.csrf, name: 'Child New', email: 'child.new@example.com', organisation: child.id, 'role.fleet-manager': 'on' });
    expect(created.status).toBe(303);
    expect(await app.services.accounts.show('child.new@example.com')).toMatchObject({ organisation_id: child.id, roles: ['fleet-manager'] });
    // A foreign organisation in the query falls back to the manager's own.
    const foreignForm = await plain.browser.get(`/manage/members/new?organisation=${child.id}`);
    expect(foreignForm.text).toContain(`name="organisation" value="${parent.id}"`);
    expect((await plain.browser.post(`/manage/members/${childMember.id}/unblock`, { csrf: plain.csrf })).status).toBe(404);
    expect(await statusOf(childMember.id)).toBe('blocked');
  });
});
