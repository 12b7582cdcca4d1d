/**
 * Colours derived from a brand's primary colour so that text on it and links in it stay
 * readable (WCAG AA: contrast of at least 4.5:1), whatever colour an insurer picks.
 */
export const BRAND_COLOR = /^#[0-9a-f]{6}$/;

const WHITE = '#ffffff';
const INK = '#1d2733';
const MIN_CONTRAST = 4.5;

type Rgb = [number, number, number];

const toRgb = (hex: string): Rgb => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
const toHex = (rgb: Rgb) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;

function luminance(hex: string): number {
  const [r, g, b] = toRgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The colour mixed toward black in small steps until it reads on white: for links and focus rings. */
function darkenUntilReadable(hex: string): string {
  let rgb = toRgb(hex);
  for (let step = 0; step < 40 && contrast(toHex(rgb), WHITE) < MIN_CONTRAST; step += 1) {
    rgb = rgb.map((c) => c * 0.9) as Rgb;
  }
  return toHex(rgb);
}

export interface BrandPalette {
  /** Buttons' background: the brand colour itself (darkened only where no text would read on it). */
  accent: string;
  /** Text on the accent: white, or dark ink where white would not read. */
  onAccent: string;
  /** Links and focus rings on the white page. */
  accentText: string;
}

export function brandPalette(color: string): BrandPalette {
  const accentText = darkenUntilReadable(color);
  const onAccent = contrast(color, WHITE) >= contrast(color, INK) ? WHITE : INK;
  // A middle tone neither white nor ink reads on: the buttons take the darker variant.
  if (contrast(color, onAccent) < MIN_CONTRAST) return { accent: accentText, onAccent: WHITE, accentText };
  return { accent: color, onAccent, accentText };
}
