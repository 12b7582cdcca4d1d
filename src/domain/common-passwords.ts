import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * The common-password rule of SPEC 4.7: zxcvbn-ts' maintained list of frequently leaked
 * passwords (about 49 000 entries, lower case), compared case-insensitively. A password
 * also counts as common when what remains after stripping trailing digits and symbols is
 * on the list, since "Password1!" is how people meet composition rules with a listed word.
 */
const COMMON = new Set(dictionary['passwords-common'] as string[]);

/** The shortest base word that counts; shorter stems ("ab" of "Ab12345!") say nothing. */
const MIN_BASE_LENGTH = 4;

export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return true;
  const base = lower.replace(/[^\p{L}]+$/u, '');
  return base.length >= MIN_BASE_LENGTH && COMMON.has(base);
}

/** How many passwords the list holds (SPEC 4.7 asks for at least 10 000). */
export const COMMON_PASSWORD_COUNT = COMMON.size;
