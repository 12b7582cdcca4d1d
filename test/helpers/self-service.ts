import { expect } from '@jest/globals';
import type { Browser } from './browser.js';
import type { CapturedMail } from './smtp-capture.js';

/** The CSRF token of the form on a page. */
export function csrfOf(html: string): string {
  const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  expect(token).toBeDefined();
  return token!;
}

/** The one pforte link in a mail's text part, as a path. */
export function linkIn(mail: CapturedMail, path: string): string {
  const found = new RegExp(`https?://[^\\s]+(${path.replace(/\//g, '\\/')}/[A-Za-z0-9_-]+)`).exec(mail.text);
  expect(found).not.toBeNull();
  return found![1]!;
}

/** Opens /register (from a sign-in when `interaction` is given) and posts the form. */
export async function register(browser: Browser, form: Record<string, string>, query = '') {
  const page = await browser.get(`/register${query}`);
  expect(page.status).toBe(200);
  return browser.post('/register', { csrf: csrfOf(page.text), ...form });
}
