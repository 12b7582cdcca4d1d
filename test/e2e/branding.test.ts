import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { Browser } from '../helpers/browser.js';
import { solidPng, wordmarkSvg } from '../helpers/brand-files.js';
import { LoginFlow } from '../helpers/login-flow.js';
import { registerRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// SPEC 4.11: the pages of an interaction show its client's brand; other pages the deployment's.
let app: TestApp;
let ergo: RelyingParty;
let allianz: RelyingParty;
const png = solidPng(8, 4, [0, 60, 120]);

beforeAll(async () => {
  app = await startTestApp({ SUPPORT_CONTACT: 'Service desk 0800 123' });
  ergo = await registerRelyingParty(app, { name: 'ergo-business' });
  allianz = await registerRelyingParty(app, { name: 'allianz-vtnr', loginMethod: 'agent' });
  await app.services.clients.updateBrand('ergo-business', {
    name: 'ERGO Business Portal & "Friends"',
    logo: png,
    color: '#8E0038',
    supportContact: 'ERGO Hotline 0211 477-0',
    termsUrl: 'https://ergo.example/terms?a=1&b=2',
    privacyUrl: 'https://ergo.example/privacy',
  });
  await app.services.clients.updateBrand('allianz-vtnr', { name: 'Allianz Vermittlerportal', logo: wordmarkSvg('Allianz', '#003781'), color: '#003781' });
});
afterAll(async () => {
  await app?.close();
});

const newBrowser = () => new Browser(app.url, { 'Accept-Language': 'en' });

async function loginPage(rp: RelyingParty, browser = newBrowser()): Promise<{ html: string; flow: LoginFlow }> {
  const flow = new LoginFlow(app, rp, browser);
  const res = await browser.get(await flow.startAuthorization({ ui_locales: 'en' }));
  expect(res.status).toBe(200);
  return { html: res.text, flow };
}

describe('pages of an interaction', () => {
  test('two clients show their own brands in the same browser, each escaped', async () => {
    const browser = newBrowser();
    const { html: ergoPage } = await loginPage(ergo, browser);
    const { html: allianzPage } = await loginPage(allianz, browser);

    const pngHash = createHash('sha256').update(png).digest('hex');
    expect(ergoPage).toContain(`<img class="brand-logo" src="/branding/logo/${pngHash}.png" alt="ERGO Business Portal &amp; &#34;Friends&#34;">`);
    expect(ergoPage).toContain('<title>Sign in – ERGO Business Portal &amp; &#34;Friends&#34;</title>');
    expect(ergoPage).toContain('<link rel="stylesheet" href="/branding/theme/8e0038.css">');
    expect(ergoPage).toContain('Help with signing in: ERGO Hotline 0211 477-0');
    expect(ergoPage).toContain('href="https://ergo.example/terms?a=1&amp;b=2"');
    expect(ergoPage).toContain('href="https://ergo.example/privacy"');
    expect(ergoPage).not.toContain('Allianz');

    expect(allianzPage).toMatch(/<img class="brand-logo" src="\/branding\/logo\/[0-9a-f]{64}\.svg" alt="Allianz Vermittlerportal">/);
    expect(allianzPage).toContain('href="/branding/theme/003781.css"');
    // Parts a client leaves out come from the deployment.
    expect(allianzPage).toContain('Help with signing in: Service desk 0800 123');
    expect(allianzPage).not.toContain('ERGO');
  });

  test('the TAN-less error page of an interaction keeps its brand; the strict CSP stays', async () => {
    const { flow } = await loginPage(ergo);
    // No TAN was asked for in this interaction: a "bad request" page, still in ERGO's look.
    const res = await flow.browser.post(`/interaction/${flow.uid}/tan`, { tan: '123456' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('alt="ERGO Business Portal');
    expect(res.headers['content-security-policy']).toMatch(/style-src 'self'; script-src 'self'/);
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
  });

  test('the logout page of a client shows its brand', async () => {
    const res = await newBrowser().get(`/session/end?client_id=${allianz.clientId}&ui_locales=en`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('alt="Allianz Vermittlerportal"');
    expect((await newBrowser().get('/session/end?ui_locales=en')).text).toContain('<span class="brand-name">pforte</span>');
  });

  test('the consent page of a third-party client shows its brand', async () => {
    const thirdParty = await registerRelyingParty(app, { name: 'broker-portal', firstParty: false });
    await app.services.clients.updateBrand(thirdParty.clientId, { name: 'Broker Portal' });
    await app.services.accounts.create({ email: 'consent@example.com', password: 'Sichere-Passw0rt!' });
    const { flow } = await loginPage(thirdParty);
    const next = await flow.submitPassword('consent@example.com', 'Sichere-Passw0rt!');
    const consent = await flow.browser.get(next.location!);
    expect(consent.text).toContain('Allow access');
    expect(consent.text).toContain('<span class="brand-name">Broker Portal</span>');
  });
});

describe('pages outside an interaction', () => {
  test('show the deployment default brand', async () => {
    const res = await newBrowser().get('/help?ui_locales=en');
    expect(res.text).toContain('<span class="brand-name">pforte</span>');
    expect(res.text).toContain('Help with signing in: Service desk 0800 123');
    expect(res.text).not.toContain('/branding/');
  });
});

describe('served brand files', () => {
  test('a logo is served under its content hash with a long cache lifetime; another logo is another URL', async () => {
    const before = (await app.services.clients.brandFor(ergo.clientId))!.logoUrl!;
    const res = await newBrowser().get(before);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(res.body as Buffer).equals(png)).toBe(true);

    const other = await app.services.clients.updateBrand(ergo.clientId, { logo: solidPng(8, 4, [200, 0, 0]) });
    expect(other.logoUrl).not.toBe(before);
    expect((await newBrowser().get(other.logoUrl!)).status).toBe(200);
    await app.services.clients.updateBrand(ergo.clientId, { logo: png });
  });

  test('an SVG logo is served with a policy that runs nothing', async () => {
    const { logoUrl } = (await app.services.clients.brandFor(allianz.clientId))!;
    const res = await newBrowser().get(logoUrl!).buffer(true);
    expect(res.headers['content-type']).toBe('image/svg+xml');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; sandbox");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  test('unknown or malformed logo and theme URLs are 404 pages', async () => {
    const browser = newBrowser();
    for (const path of ['/branding/logo/' + '0'.repeat(64) + '.png', '/branding/logo/../../etc/passwd', '/branding/logo/abc.png', '/branding/theme/zzzzzz.css', '/branding/theme/12345.css', '/branding/theme/123456.css.map']) {
      expect({ path, status: (await browser.get(path)).status }).toEqual({ path, status: 404 });
    }
    // The ERGO PNG asked for as an SVG is not served either.
    const pngUrl = (await app.services.clients.brandFor(ergo.clientId))!.logoUrl!;
    expect((await browser.get(pngUrl.replace(/\.png$/, '.svg'))).status).toBe(404);
  });

  test('the colour stylesheet sets readable custom properties and is cached long', async () => {
    const res = await newBrowser().get('/branding/theme/8e0038.css');
    expect(res.headers['content-type']).toMatch(/^text\/css/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.text).toBe(':root { --accent: #8e0038; --on-accent: #ffffff; --accent-text: #8e0038; }\n');
    // A light yellow gets dark text on its buttons and a darker shade for links on white.
    const light = await newBrowser().get('/branding/theme/ffdd00.css');
    expect(light.text).toMatch(/--accent: #ffdd00; --on-accent: #1d2733; --accent-text: #[0-9a-f]{6};/);
    expect(light.text).not.toContain('--accent-text: #ffdd00');
  });
});

describe('bad brand input is refused and changes nothing', () => {
  const refusals: Array<[string, Record<string, unknown>, string]> = [
    ['HTML in the name', { name: '<script>alert(1)</script>' }, 'name'],
    ['a very long name', { name: 'x'.repeat(81) }, 'name'],
    ['a name over two lines', { name: 'ERGO\nFake' }, 'name'],
    ['a colour that is not one', { color: 'red' }, 'color'],
    ['a colour with CSS after it', { color: '#123456; } body { display: none' }, 'color'],
    ['a javascript: terms URL', { termsUrl: 'javascript:alert(1)' }, 'termsUrl'],
    ['a plain-http privacy URL', { privacyUrl: 'http://ergo.example/privacy' }, 'privacyUrl'],
    ['a logo that is not an image', { logo: Buffer.from('GIF89a not really') }, 'logo'],
    ['an SVG with a script', { logo: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') }, 'logo'],
    ['an SVG with an event handler', { logo: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>') }, 'logo'],
    ['an SVG loading an external image', { logo: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>') }, 'logo'],
    ['an SVG with an external url()', { logo: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://evil.example/x)"/></svg>') }, 'logo'],
    ['an SVG with entities', { logo: Buffer.from('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>') }, 'logo'],
    ['a logo over 256 KiB', { logo: Buffer.concat([solidPng(1, 1, [0, 0, 0]), Buffer.alloc(256 * 1024)]) }, 'logo'],
  ];
  test.each(refusals)('%s', async (_what, input, field) => {
    const before = await app.services.clients.brandFor(ergo.clientId);
    await expect(app.services.clients.updateBrand(ergo.clientId, input)).rejects.toMatchObject({ code: 'invalid_input', problems: { [field]: expect.any(String) } });
    expect(await app.services.clients.brandFor(ergo.clientId)).toEqual(before);
  });
});
