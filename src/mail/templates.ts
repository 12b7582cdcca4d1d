import { join } from 'node:path';
import ejs from 'ejs';
import { translator, type Locale, type Translate } from '../i18n/index.js';
import { viewsDir } from '../paths.js';

/** Every mail pforte sends, with the data its template needs. */
export interface MailTemplates {
  tan: { tan: string; minutes: number; name?: string };
  /** Sign-ins were locked after failures: from one network (`ip`), for everyone (`account`), or until unlocked (`hard`). */
  lockout: { scope: 'ip' | 'account' | 'hard'; minutes: number; name?: string };
  /** An account was created for the person: set the password through `link` (SPEC 4.6). */
  activation: { link: string; days: number; name?: string };
  /** A registration matched a policyholder: confirm the address and set a password (SPEC 4.5). */
  registration_confirm: { link: string; hours: number; name?: string };
  /** Someone registered with an address that already has an account. */
  registration_taken: { forgotPasswordUrl: string };
  /** A registration with this address could not be completed (the reason is not named). */
  registration_failed: Record<string, never>;
  /** "Forgot password?": a link to set a new one (SPEC 4.7). */
  password_reset: { link: string; minutes: number; name?: string };
  /** The account's password was replaced, by the owner (`changed`) or through a reset link (`reset`). */
  password_changed: { reason: 'changed' | 'reset'; name?: string };
  /** Every session and token of the account was ended ("Sign out everywhere"). */
  signed_out_everywhere: { name?: string };
}

export type MailTemplate = keyof MailTemplates;

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** Line breaks and control characters out: a name must not start new lines in a text mail. */
function plain(value: unknown): string {
  return String(value ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** The data's strings and numbers as i18n variables (an absent name must not print "undefined"). */
function messageVars(data: object): Record<string, string | number> {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => typeof v === 'string' || typeof v === 'number'));
}

/**
 * Renders `views/mail/<template>.txt.ejs` and `.html.ejs` in the recipient's locale; the
 * subject is the i18n key `mail.<template>.subject`.
 */
export async function renderMail<T extends MailTemplate>(template: T, locale: Locale, data: MailTemplates[T]): Promise<RenderedMail> {
  const t: Translate = translator(locale);
  const subject = plain(t(`mail.${template}.subject`, messageVars(data)));
  const locals = { ...data, t, locale, subject, plain };
  const options = { cache: process.env.NODE_ENV === 'production' };
  const [text, html] = await Promise.all([
    ejs.renderFile(join(viewsDir, 'mail', `${template}.txt.ejs`), locals, options),
    ejs.renderFile(join(viewsDir, 'mail', `${template}.html.ejs`), locals, options),
  ]);
  return { subject, text: text.replace(/\n{3,}/g, '\n\n').trim() + '\n', html };
}
