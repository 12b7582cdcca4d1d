import { de } from './messages/de.js';
import { en, type MessageKey } from './messages/en.js';
import { nl } from './messages/nl.js';
import { selfServiceMessages } from './messages/self-service.js';

/** `de-CH` is German as written in Switzerland (winVS): the German texts with ss for ß. */
export const LOCALES = ['de', 'en', 'nl', 'de-CH'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'de';
export type { MessageKey };

const swissGerman = Object.fromEntries(Object.entries({ ...de, ...selfServiceMessages.de }).map(([key, text]) => [key, text.replace(/ß/g, 'ss')]));

const catalogues: Record<Locale, Record<string, string>> = {
  de: { ...de, ...selfServiceMessages.de },
  en: { ...en, ...selfServiceMessages.en },
  nl: { ...nl, ...selfServiceMessages.nl },
  'de-CH': swissGerman,
};

export type Translate = (key: MessageKey | string, vars?: Record<string, string | number>) => string;

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/** A language tag as pforte speaks it: `de-CH` itself, otherwise its base language (`en-GB` is `en`). */
function localeOf(tag: string): Locale | undefined {
  if (tag.toLowerCase() === 'de-ch') return 'de-CH';
  const base = tag.toLowerCase().split('-')[0]!;
  return isLocale(base) ? base : undefined;
}

/** Whether a key names a text (for keys built from request input, which must never show raw). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
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
      const locale = localeOf(tag);
      if (locale) return locale;
    }
  }
  const accepted = acceptLanguage([...LOCALES]);
  return (accepted && localeOf(accepted)) || DEFAULT_LOCALE;
}
