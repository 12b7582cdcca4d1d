import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { solidPng } from './helpers/brand-files.js';
import { createCliRunner } from './helpers/cli.js';

/** `pforte client create|update` with the brand flags of SPEC 4.11, as an operator runs them. */
const { pforte, pforteJson, setUp, tearDown } = createCliRunner();
const files = mkdtempSync(join(tmpdir(), 'pforte-brand-'));
const file = (name: string, content: Buffer | string) => {
  const path = join(files, name);
  writeFileSync(path, content);
  return path;
};
beforeAll(async () => {
  await setUp();
  await pforteJson('migrate');
});
afterAll(async () => {
  await tearDown();
  rmSync(files, { recursive: true, force: true });
});

describe('pforte client brand flags', () => {
  it('creates a branded client and shows its brand; "" removes a part', async () => {
    const created = await pforteJson<{ client_id: string; brand: Record<string, string> }>('client', 'create', '--name', 'ergo-portal', '--redirect-uri', 'https://ergo.example/cb',
      '--brand-name', 'ERGO Business Portal', '--brand-logo', file('logo.png', solidPng(4, 4, [0, 0, 0])), '--brand-color', '#8E0038',
      '--support-contact', 'ERGO Hotline', '--terms-url', 'https://ergo.example/terms', '--privacy-url', 'https://ergo.example/privacy');
    expect(created.brand).toEqual({
      name: 'ERGO Business Portal',
      color: '#8e0038',
      supportContact: 'ERGO Hotline',
      termsUrl: 'https://ergo.example/terms',
      privacyUrl: 'https://ergo.example/privacy',
      logoUrl: expect.stringMatching(/^\/branding\/logo\/[0-9a-f]{64}\.png$/),
    });
    const updated = await pforteJson<{ brand: Record<string, string> }>('client', 'update', 'ergo-portal', '--brand-logo', '', '--terms-url', '');
    expect(updated.brand).not.toHaveProperty('logoUrl');
    expect(updated.brand).not.toHaveProperty('termsUrl');
    const shown = await pforte('client', 'show', 'ergo-portal');
    expect(shown.stdout).toMatch(/^brand.name: +ERGO Business Portal$/m);
  });

  it('refuses bad brand input by flag with a clear message, and a bad brand registers no client', async () => {
    const refused = await pforte('client', 'create', '--name', 'evil-portal', '--redirect-uri', 'https://evil.example/cb', '--brand-name', '<img src=x onerror=alert(1)>', '--brand-color', 'red');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pforte: --brand-name: must not contain < or > (no HTML)');
    expect(refused.stderr).toContain('pforte: --brand-color: must be a colour written #RRGGBB');
    expect((await pforte('client', 'show', 'evil-portal')).code).toBe(3);

    const script = await pforte('client', 'update', 'ergo-portal', '--brand-logo', file('evil.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'));
    expect(script.code).toBe(2);
    expect(script.stderr).toContain('pforte: --brand-logo: an SVG logo must not contain scripts');
    const text = await pforte('client', 'update', 'ergo-portal', '--brand-logo', file('notes.txt', 'hello'));
    expect(text.stderr).toContain('pforte: --brand-logo: the logo must be a PNG or an SVG image');
    const missing = await pforte('client', 'update', 'ergo-portal', '--brand-logo', join(files, 'nothing-here.png'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('the logo file cannot be read');
    const big = await pforte('client', 'update', 'ergo-portal', '--brand-logo', file('big.png', Buffer.alloc(300 * 1024)));
    expect(big.stderr).toContain('the logo must be at most 256 KiB');
    // Nothing of it was stored.
    const shown = await pforteJson<{ brand: Record<string, string> }>('client', 'show', 'ergo-portal');
    expect(shown.brand).toEqual({ name: 'ERGO Business Portal', color: '#8e0038', supportContact: 'ERGO Hotline', privacyUrl: 'https://ergo.example/privacy' });
  });
});
