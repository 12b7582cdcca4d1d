import { afterAll, beforeAll, describe, test } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { csrfOf } from '../helpers/self-service.js';
import { fuzzForm, type FormState, type FormTarget } from './form-targets.js';
import { checkCase, cookieFor, PROPERTY_TIMEOUT_MS, report, runProperty, startFuzzApp, type FuzzApp, type FuzzRequest } from './harness.js';
import { encodedValue, parameterSet } from './hostile-input.js';

/**
 * Property-based fuzz of the self-service journeys (issue 8): the registration and
 * forgot-password forms in the state a browser reaches them in (its flow cookie and CSRF
 * token), their query parameters, and hostile confirmation and reset tokens.
 */

const NEW_PASSWORD = 'Neues-Passw0rt!2';
let fuzz: FuzzApp;

beforeAll(async () => {
  fuzz = await startFuzzApp();
  await fuzz.app.services.customers.importCsv('policy_number,birth_date,name\nUV-1,1980-12-31,Erika Muster\n');
});
afterAll(async () => {
  if (fuzz) report(fuzz, 'registration and forgot-password forms');
  await fuzz?.app.close();
});

/** A browser on `path` with its flow cookie and the form's CSRF token. */
async function atForm(path: string): Promise<FormState> {
  const browser = new Browser(fuzz.app.url, { 'Accept-Language': 'en' });
  const page = await browser.get(path);
  return { path, cookie: cookieFor(browser, path), values: { PLACEHOLDER_CSRF: csrfOf(page.text) } };
}

const registration: FormTarget = {
  name: 'registration',
  valid: { csrf: 'PLACEHOLDER_CSRF', policy_number: 'UV-1', birth_date: '31.12.1980', email: 'erika@example.com', email_confirmation: 'erika@example.com', terms: 'on' },
  extraNames: ['password', 'interaction', 'ui_locales'],
  prepare: () => atForm('/register'),
};

const forgotPassword: FormTarget = {
  name: 'forgot password',
  valid: { csrf: 'PLACEHOLDER_CSRF', email: 'someone@example.com' },
  extraNames: ['password', 'interaction'],
  prepare: () => atForm('/forgot-password'),
};

describe('fuzz: self-service forms', () => {
  test('POST /register from a browser on the form', () => fuzzForm(fuzz, registration), PROPERTY_TIMEOUT_MS);
  test('POST /forgot-password from a browser on the form', () => fuzzForm(fuzz, forgotPassword), PROPERTY_TIMEOUT_MS);

  test('GET /register and /forgot-password with fuzzed query parameters', async () => {
    await runProperty(parameterSet({ interaction: 'abc', ui_locales: 'en' }, ['csrf']), async (params) => {
      for (const path of ['/register', '/forgot-password']) {
        const request: FuzzRequest = { method: 'GET', path: `${path}?${params.encoded}` };
        checkCase(fuzz, request, await fuzz.send(request));
      }
    });
  }, PROPERTY_TIMEOUT_MS);

  test('GET and POST confirmation and reset links with fuzzed tokens', async () => {
    await runProperty(encodedValue.map((v) => v.slice(0, 3000)), async (token) => {
      for (const base of ['/register/confirm', '/forgot-password/reset']) {
        for (const request of [
          { method: 'GET' as const, path: `${base}/${token}` },
          { method: 'POST' as const, path: `${base}/${token}`, body: { contentType: 'application/x-www-form-urlencoded', body: `password=${NEW_PASSWORD}&confirmation=${NEW_PASSWORD}`, shape: 'fuzzed token' } },
        ]) {
          checkCase(fuzz, request, await fuzz.send(request));
        }
      }
    });
  }, PROPERTY_TIMEOUT_MS);
});
