import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium (never a downloaded browser), headless, as root in a sandbox-less
 * container; the networking flags keep it from calling home on a machine with no internet.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
