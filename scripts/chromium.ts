/** Debian's Chromium, which the browser tests and the Lighthouse audit drive. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Headless, and quiet: no update checks, sync or first-run pages reaching out. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
