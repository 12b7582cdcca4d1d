import { createHash } from 'node:crypto';

export const MAX_LOGO_BYTES = 256 * 1024;

export type LogoType = 'image/png' | 'image/svg+xml';

export interface CheckedLogo {
  bytes: Buffer;
  type: LogoType;
  /** sha256 of the bytes, hex: the logo's URL, so a new logo is a new URL (long caching). */
  hash: string;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * What an SVG logo may not contain (SPEC 4.11: scripts and external references refused).
 * Refusing is simpler to get right than sanitising: a logo needs none of these. Checked on
 * the whole text, case-insensitively, so they are found wherever they hide.
 */
const SVG_REFUSALS: ReadonlyArray<[RegExp, string]> = [
  [/<!ENTITY|<!DOCTYPE[^>]*\[/i, 'an SVG logo must not declare entities'],
  [/<\?xml-stylesheet/i, 'an SVG logo must not load stylesheets'],
  [/<(?:[a-z0-9_-]+:)?(?:script|foreignObject|iframe|embed|object|a|set|animate|animateMotion|animateTransform|handler|listener)[\s/>]/i, 'an SVG logo must not contain scripts, links, embedded documents or animations'],
  [/\son[a-z0-9_-]*\s*=/i, 'an SVG logo must not contain event handlers (on...=)'],
  [/javascript:|vbscript:|data:text\/html/i, 'an SVG logo must not contain script URLs'],
  [/@import/i, 'an SVG logo must not load stylesheets'],
  [/url\(\s*(?!['"]?#)/i, 'an SVG logo may reference only its own elements (url(#id))'],
  [/\s(?:[a-z0-9_-]+:)?(?:href|src|base)\s*=\s*(?!\s*["']#)/i, 'an SVG logo may reference only its own elements (href="#id")'],
];

/** Why these bytes cannot be a logo, or undefined when they can. */
export function logoProblem(bytes: Buffer): string | undefined {
  if (bytes.length === 0) return 'the logo file is empty';
  if (bytes.length > MAX_LOGO_BYTES) return `the logo must be at most ${MAX_LOGO_BYTES / 1024} KiB`;
  if (isPng(bytes)) return undefined;
  const text = svgText(bytes);
  if (text === undefined) return 'the logo must be a PNG or an SVG image';
  return SVG_REFUSALS.find(([pattern]) => pattern.test(text))?.[1];
}

/** A logo that `logoProblem` accepted, with its type and hash. */
export function storedLogo(bytes: Buffer): CheckedLogo {
  return { bytes, type: isPng(bytes) ? 'image/png' : 'image/svg+xml', hash: createHash('sha256').update(bytes).digest('hex') };
}

function isPng(bytes: Buffer): boolean {
  return bytes.length > 24 && bytes.subarray(0, 8).equals(PNG_SIGNATURE) && bytes.subarray(12, 16).toString('latin1') === 'IHDR';
}

/** The text of an SVG document (UTF-8, root element <svg>), or undefined for anything else. */
function svgText(bytes: Buffer): string | undefined {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('\uFFFD') || text.includes('\u0000')) return undefined;
  // Optional XML declaration, comments and a plain DOCTYPE (as design tools write them), then the root element.
  const start = text.replace(/^\uFEFF?\s*(<\?xml[^?]*\?>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE svg[^[>]*>\s*)*/i, '');
  return /^<svg[\s>]/.test(start) ? text : undefined;
}
