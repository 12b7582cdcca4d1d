import { isCommonPassword } from './common-passwords.js';
import { BCRYPT_MAX_BYTES } from './passwords.js';

export type PasswordRule = 'min_length' | 'max_bytes' | 'uppercase' | 'digit' | 'symbol' | 'not_email' | 'not_common';

/** The rules of SPEC 4.7 a password breaks; an empty list means it is acceptable. */
export function unmetPasswordRules(password: string, { minLength, email }: { minLength: number; email?: string }): PasswordRule[] {
  const unmet: PasswordRule[] = [];
  if ([...password].length < minLength) unmet.push('min_length');
  if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES) unmet.push('max_bytes');
  if (!/\p{Lu}/u.test(password)) unmet.push('uppercase');
  if (!/\p{Nd}/u.test(password)) unmet.push('digit');
  if (!/[^\p{L}\p{Nd}\s]/u.test(password)) unmet.push('symbol');
  if (email && password.trim().toLowerCase() === email.trim().toLowerCase()) unmet.push('not_email');
  if (isCommonPassword(password)) unmet.push('not_common');
  return unmet;
}
