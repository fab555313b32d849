// One way to a headless Chromium for every browser test and the benchmark. The machine's Chromium wins when it has
// one (CHROMIUM_PATH, or Debian's /usr/bin/chromium); otherwise the one `npm install` brought inside
// @sparticuz/chromium (the binary ships in the package: nothing is downloaded), unpacked once to /tmp.
import { existsSync } from 'node:fs';
import { type Browser, chromium, type LaunchOptions } from 'playwright-core';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Where Chromium is: resolved once per process (global set-up hands it to the workers as CHROMIUM_PATH). */
export async function chromiumPath(): Promise<string> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  if (existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  const { default: packaged } = await import('@sparticuz/chromium');
  return await packaged.executablePath();
}

/** Headless Chromium as root on a machine without a display or a sandbox. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  return await chromium.launch({
    executablePath: await chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--no-zygote',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
    ...options,
  });
}
