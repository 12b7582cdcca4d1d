import { describe, expect, test } from '@jest/globals';
import { AppError, ERRORS, NotFoundError, problemOf, ValidationError, type ErrorCode } from '../../src/errors/index.js';
import { LOCALES, translator } from '../../src/i18n/index.js';

describe('the error catalogue', () => {
  test('every code has a message for people in German, English and Dutch', () => {
    for (const locale of LOCALES) {
      const t = translator(locale);
      const missing = (Object.keys(ERRORS) as ErrorCode[]).filter((code) => t(`error.${code}`) === `error.${code}`);
      expect({ locale, missing }).toEqual({ locale, missing: [] });
    }
  });

  test('an error takes its status and field from the catalogue and carries its values apart from its message', () => {
    const cooldown = new AppError('tan_cooldown', { vars: { seconds: 42 } });
    expect(cooldown).toMatchObject({ code: 'tan_cooldown', status: 429, field: 'tan', vars: { seconds: 42 }, message: 'tan_cooldown' });
    expect(new NotFoundError('client')).toMatchObject({ code: 'client_not_found', status: 404 });
    expect(problemOf(new ValidationError({ email: 'invalid_email' }))).toEqual({ error: 'invalid_input', message: 'email: invalid_email', problems: { email: 'invalid_email' } });
  });
});
