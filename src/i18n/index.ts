import { de } from './messages/de.js';
import { en, type MessageKey } from './messages/en.js';
import { nl } from './messages/nl.js';
import { selfServiceMessages } from './messages/self-service.js';

export const LOCALES = ['de', 'en', 'nl'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'de';
export type { MessageKey };

const catalogues: Record<Locale, Record<string, string>> = {
  de: { ...de, ...selfServiceMessages.de },
  en: { ...en, ...selfServiceMessages.en },
  nl: { ...nl, ...selfServiceMessages.nl },
};

export type Translate = (key: MessageKey | string, vars?: Record<string, string | number>) => string;

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/** Texts of one locale; unknown keys fall back to English, then to the key itself. */
export function translator(locale: Locale): Translate {
  const catalogue = catalogues[locale] as Record<string, string>;
  const fallback = catalogues.en;
  return (key, vars) => {
    const text = catalogue[key] ?? fallback[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
  };
}

/** `ui_locales` (space-separated, in order of preference) wins over Accept-Language. */
export function pickLocale(uiLocales: unknown, acceptLanguage: (locales: string[]) => string | false): Locale {
  if (typeof uiLocales === 'string') {
    for (const tag of uiLocales.split(' ').slice(0, 10)) {
      const base = tag.toLowerCase().split('-')[0]!;
      if (isLocale(base)) return base;
    }
  }
  const accepted = acceptLanguage([...LOCALES]);
  return accepted && isLocale(accepted) ? accepted : DEFAULT_LOCALE;
}
