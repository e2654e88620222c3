import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** The OS package's Chromium: a browser a tool downloads does not run here. */
export const chromiumPath = () =>
  [
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'chromium')),
    '/usr/bin/chromium',
  ].find((path) => existsSync(path));

/** Headless Chromium from the OS packages; a clear failure when it is missing (CI installs it). */
export const launchChromium = async (): Promise<Browser> => {
  const executablePath = chromiumPath();
  if (!executablePath) {
    throw new Error(
      'Chromium not found on PATH nor at /usr/bin/chromium: install the OS package (apt-get install chromium), as .ci/run does',
    );
  }
  return chromium.launch({ executablePath, args: ['--no-sandbox'] });
};
