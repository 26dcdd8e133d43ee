import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, as every console e2e test drives it: headless, offline, no sandbox (tests run as root in CI). */
export function launchDebianChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
