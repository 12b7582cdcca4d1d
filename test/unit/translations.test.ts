import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { SUPPORTED_SCOPES } from '../../src/domain/clients.js';
import { LOCALES, pickLocale, translator } from '../../src/i18n/index.js';
import { de as deMain } from '../../src/i18n/messages/de.js';
import { en as enMain } from '../../src/i18n/messages/en.js';
import { nl as nlMain } from '../../src/i18n/messages/nl.js';
import { selfServiceMessages } from '../../src/i18n/messages/self-service.js';
import { renderMail, type MailTemplates } from '../../src/mail/templates.js';
import { rawKeysIn, unfilledPlaceholdersIn } from '../helpers/raw-keys.js';

// Every text exists in de, en and nl with the same placeholders; every key the code or a
// view names exists; a rendered mail never shows a raw key.
const root = fileURLToPath(new URL('../..', import.meta.url));
// As i18n/index merges them: the main catalogues and the self-service journeys' texts.
const de: Record<string, string> = { ...deMain, ...selfServiceMessages.de };
const en: Record<string, string> = { ...enMain, ...selfServiceMessages.en };
const nl: Record<string, string> = { ...nlMain, ...selfServiceMessages.nl };
const catalogues: Record<string, Record<string, string>> = { de, en, nl };
const keys = Object.keys(en);
const prefixes = new Set(keys.map((key) => key.split('.')[0]!));

function filesUnder(dir: string, extension: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => join(entry.parentPath, entry.name));
}
const sources = [...filesUnder('src', '.ts').filter((file) => !file.includes('/i18n/')), ...filesUnder('views', '.ejs')].map((file) => ({ file, text: readFileSync(file, 'utf8') }));
const matches = (pattern: RegExp) => [...new Set(sources.flatMap(({ text }) => [...text.matchAll(pattern)].map((m) => m[1]!)))];
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();


const written = ['de', 'nl'] as const;

describe('catalogues', () => {
  test.each(written)('%s has every English key, none empty, none extra', (locale) => {
    const catalogue = catalogues[locale]!;
    expect(keys.filter((key) => !(catalogue[key] ?? '').trim())).toEqual([]);
    expect(Object.keys(catalogue).filter((key) => !(key in en))).toEqual([]);
  });

  test.each(written)('%s uses the same placeholders as English', (locale) => {
    const differing = keys.filter((key) => placeholders(catalogues[locale]![key]!).join() !== placeholders((en as Record<string, string>)[key]!).join());
    expect(differing).toEqual([]);
  });
});

describe('Swiss German (de-CH, winVS)', () => {
  test('is the German text with ss for ß, chosen by ui_locales or Accept-Language', () => {
    const swiss = translator('de-CH');
    const german = translator('de');
    expect(keys.filter((key) => swiss(key).includes('ß'))).toEqual([]);
    expect(keys.filter((key) => swiss(key) !== german(key).replace(/ß/g, 'ss'))).toEqual([]);
    expect(swiss('mail.closing')).toBe('Mit freundlichen Grüssen');
    expect(pickLocale('de-CH', () => false)).toBe('de-CH');
    expect(pickLocale('fr-CH de-ch', () => false)).toBe('de-CH');
    expect(pickLocale('de-AT', () => false)).toBe('de');
    expect(pickLocale(undefined, (offered) => (offered.includes('de-CH') ? 'de-CH' : false))).toBe('de-CH');
  });
});

describe('keys the code and the views name', () => {
  test('every literal key (t("..."), notices, messages, titles) exists', () => {
    // Audit event types ('login.success', also counted in metrics.ts) and authorisation actions ('account.read') look like keys but are not texts.
    const texts = sources.filter(({ file }) => !/\/audit[^/]*\.ts$|\/policies\/|\/metrics\.ts$/.test(file)).map(({ text }) => text.replace(/\.record\([^,]*,/g, '').replace(/authorize\([^,]*, '[a-z_.]+'/g, '').replace(/prefix: '[a-z_.]+'/g, ''));
    const literal = [...new Set(texts.flatMap((text) => [...text.matchAll(/'([a-z_]+(?:\.[a-z_]+)+)'/g)].map((m) => m[1]!)))].filter((key) => prefixes.has(key.split('.')[0]!) && !/\.(?:ts|js|ejs|css|png|svg|json|html|txt)$/.test(key));
    expect(literal.length).toBeGreaterThan(100);
    expect(literal.filter((key) => !(key in en))).toEqual([]);
  });

  test('every error code shown at a field has its message', () => {
    const codes = [
      ...matches(/new AppError\('([a-z_]+)'/g),
      ...matches(/errors(?:\.[a-z_]+ =|: \{ ?[a-z_]+:) '([a-z_]+)'/g),
      ...matches(/error: '((?:too_long|required)[a-z_]*)'/g),
      ...matches(/code: '(tan_[a-z_]+)'/g),
      ...matches(/'(tan_[a-z_]+)'/g),
      ...matches(/'(password_(?:mismatch|rules|unchanged))'/g),
    ];
    expect(codes).toEqual(expect.arrayContaining(['required', 'too_long', 'tan_wrong', 'tan_expired', 'tan_missing', 'tan_void', 'tan_cooldown', 'invalid_credentials', 'password_mismatch']));
    expect(codes.filter((code) => !(`error.${code}` in en))).toEqual([]);
  });

  test('keys built from lists: scopes, help topics, password rules', () => {
    const topics = matches(/const TOPICS = \[([^\]]+)\]/g).flatMap((list) => [...list.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!));
    const rules = matches(/const RULES: readonly PasswordRule\[\] = \[([^\]]+)\]/g).flatMap((list) => [...list.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!));
    expect(topics.length).toBeGreaterThan(0);
    expect(rules.length).toBeGreaterThan(0);
    const built = [
      ...SUPPORTED_SCOPES.map((scope) => `consent.scope.${scope}`),
      ...topics.flatMap((topic) => [`help.${topic}.title`, `help.${topic}.body`]),
      ...rules.map((rule) => `password_rules.${rule}`),
    ];
    expect(built.filter((key) => !(key in en))).toEqual([]);
  });
});

describe('mails', () => {
  const samples: { [T in keyof MailTemplates]: MailTemplates[T][] } = {
    tan: [{ tan: '123456', minutes: 10, name: 'Vera' }, { tan: '123456', minutes: 1 }],
    lockout: [{ scope: 'ip', minutes: 15 }, { scope: 'account', minutes: 1, name: 'Vera' }, { scope: 'hard', minutes: 0 }],
    password_changed: [{ reason: 'changed', name: 'Vera' }, { reason: 'reset' }],
    signed_out_everywhere: [{ name: 'Vera' }, {}],
    activation: [{ link: 'https://id.example/activate/x', days: 7, name: 'Vera' }],
    registration_confirm: [{ link: 'https://id.example/register/confirm/x', hours: 48 }],
    registration_taken: [{ forgotPasswordUrl: 'https://id.example/forgot-password' }],
    registration_failed: [{}],
    password_reset: [{ link: 'https://id.example/forgot-password/reset/x', minutes: 60, name: 'Vera' }],
  };
  const cases = LOCALES.flatMap((locale) => Object.entries(samples).flatMap(([template, list]) => list.map((data) => [locale, template, data] as const)));

  test.each(cases)('%s %s mail shows no raw key (%j)', async (locale, template, data) => {
    const mail = await renderMail(template as keyof MailTemplates, locale, data as never);
    expect(rawKeysIn(`${mail.subject}\n${mail.text}\n${mail.html}`)).toEqual([]);
    expect(unfilledPlaceholdersIn(`${mail.subject}\n${mail.text}\n${mail.html}`)).toEqual([]);
  });

  test('every mail template has a subject in every language', () => {
    for (const template of Object.keys(samples)) expect(keys).toContain(`mail.${template}.subject`);
  });
});
