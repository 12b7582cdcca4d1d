import { en } from '../../src/i18n/messages/en.js';

const prefixes = new Set(Object.keys(en).map((key) => key.split('.')[0]!));
/** Looks like a message key: dot-separated snake_case words. */
const KEY_LIKE = /\b([a-z_]+(?:\.[a-z_]+)+)\b/g;

/** Message keys shown as they are (a missing text falls back to its key) in a page or mail. */
export function rawKeysIn(text: string): string[] {
  return [...text.matchAll(KEY_LIKE)].map((m) => m[1]!).filter((candidate) => prefixes.has(candidate.split('.')[0]!));
}

/** `{name}` placeholders left unfilled. */
export function unfilledPlaceholdersIn(text: string): string[] {
  return [...text.matchAll(/\{[a-z_]+\}/g)].map((m) => m[0]);
}
