import type { Context } from 'koa';
import { PasswordRejected } from '../domain/onboarding.js';
import type { PasswordRule } from '../domain/password-policy.js';
import { renderPage } from './render.js';

/** The rules the form lists (SPEC 4.7); after a rejected try each is marked met or not. */
const RULES: readonly PasswordRule[] = ['min_length', 'uppercase', 'digit', 'symbol', 'max_bytes', 'not_email', 'not_common'];

export interface PasswordFormPage {
  action: string;
  title: string;
  intro: string;
  minLength: number;
}

/** What views/partials/password-rules.ejs shows: every rule, marked after a rejected try. */
export function passwordRulesView(minLength: number, rejected?: PasswordRejected) {
  return { rules: RULES, unmet: rejected?.rules ?? [], checked: rejected?.reason === 'password_rules', minLength };
}

/** "New password" + "Confirm new password" + "Save password", for activation and initial passwords. */
export function renderPasswordForm(ctx: Context, page: PasswordFormPage, rejected?: PasswordRejected, status = 200) {
  return renderPage(ctx, 'set-password', {
    ...page,
    ...passwordRulesView(page.minLength, rejected),
    errors: rejected ? { password: rejected.reason } : {},
  }, rejected ? 400 : status);
}

/** Reads the two password fields; overlong or missing input counts as a rule failure. */
export function readNewPassword(form: Record<string, string>): { password: string; confirmation: string } {
  const clip = (value: string | undefined) => (value ?? '').slice(0, 1024);
  return { password: clip(form.password), confirmation: clip(form.confirmation) };
}
