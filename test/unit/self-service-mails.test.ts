import { describe, expect, test } from '@jest/globals';
import { LOCALES, type Locale } from '../../src/i18n/index.js';
import { renderMail, type MailTemplate, type MailTemplates } from '../../src/mail/templates.js';

/** Each self-service mail in every language, text and HTML: purpose, lifetime, what to do if unasked (SPEC 4.10). */
const LINK = 'https://id.example/x/AbC_123';
const mails: { [T in MailTemplate]?: { data: MailTemplates[T]; lifetime?: Record<string, string> } } = {
  activation: { data: { link: LINK, days: 7, name: 'Ina <b>Vited</b>\nBcc: x' }, lifetime: { de: '7 Tage', en: '7 days', nl: '7 dagen' } },
  registration_confirm: { data: { link: LINK, hours: 48 }, lifetime: { de: '48 Stunden', en: '48 hours', nl: '48 uur' } },
  password_reset: { data: { link: LINK, minutes: 60 }, lifetime: { de: '60 Minuten', en: '60 minutes', nl: '60 minuten' } },
  registration_taken: { data: { forgotPasswordUrl: LINK } },
  registration_failed: { data: {} },
};

/** Swiss German mails are the German ones with ss for ß. */
const german = (locale: Locale) => (locale === 'de-CH' ? 'de' : locale);
const swiss = (locale: Locale, text: string) => (locale === 'de-CH' ? text.replace(/ß/g, 'ss') : text);

describe.each(Object.entries(mails))('the %s mail', (template, { data, lifetime }) => {
  test.each([...LOCALES])('in %s has a subject, text and HTML parts, the lifetime and what to do if unasked; no raw keys', async (locale) => {
    const mail = await renderMail(template as MailTemplate, locale, data as never);
    expect(mail.subject).not.toMatch(/^mail\./);
    for (const part of [mail.text, mail.html]) {
      expect(part).not.toMatch(/mail\.[a-z_]+\.[a-z_]+/);
      if (lifetime) expect(part).toContain(swiss(locale, lifetime[german(locale)]));
      if ('link' in data || 'forgotPasswordUrl' in data) expect(part).toContain(LINK);
    }
    expect(mail.text).toContain(swiss(locale, { de: 'Sie haben das nicht veranlasst?', en: 'You did not ask for this?', nl: 'Heb je hier niet om gevraagd?' }[german(locale)]));
    expect(mail.html).toContain(`lang="${locale}"`);
    // A name is data: escaped in HTML, on one line in text.
    expect(mail.html).not.toContain('<b>Vited</b>');
    expect(mail.text).not.toMatch(/\nBcc:/);
  });
});
