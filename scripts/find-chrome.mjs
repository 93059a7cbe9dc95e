// Finds a Chromium or Chrome for the browser tests: CHROME_PATH, Debian's /usr/bin/chromium, or an installed Chrome.
// Nothing here downloads a browser.
import { existsSync } from 'node:fs';

const candidates = [
  process.env.CHROME_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** @returns {string | undefined} */
export function findChrome() {
  return candidates.find((path) => path && existsSync(path));
}

export const installHint = [
  'No Chromium or Chrome was found for the browser tests.',
  'Install one, then run the command again:',
  '  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y chromium',
  '  macOS:          brew install --cask chromium   (or install Google Chrome)',
  'or point CHROME_PATH at a Chromium/Chrome executable.',
].join('\n');

/** Flags for headless Chromium on these machines (root needs --no-sandbox; the network is closed). */
export const chromeArgs = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** @returns {string} */
export function requireChrome() {
  const path = findChrome();
  if (!path) {
    console.error(installHint);
    process.exit(1);
  }
  return path;
}
