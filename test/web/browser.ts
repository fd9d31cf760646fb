/**
 * Debian's chromium for the dashboard's tests, driven by playwright-core. Installed when missing,
 * as the VM harness installs its host packages (apt-get, as root); without root the tests are
 * skipped with what to install.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { ensureHostPackages, isRoot, type HostPackage } from '../vm/harness/deps.js';

export const CHROMIUM = '/usr/bin/chromium';

const PACKAGES: readonly HostPackage[] = [
  { pkg: 'chromium', present: () => existsSync(CHROMIUM) },
  // Text in the screenshots: the same font wherever the tests run.
  { pkg: 'fonts-dejavu-core', present: () => existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf') },
];

/** Installs what is missing; returns why the browser tests cannot run, or false. */
export function browserMissing(): string | false {
  const missing = PACKAGES.filter((p) => !p.present());
  if (missing.length === 0) return false;
  if (!isRoot()) return `missing ${missing.map((p) => p.pkg).join(' ')}: install as root (apt-get install -y ${missing.map((p) => p.pkg).join(' ')})`;
  ensureHostPackages(PACKAGES);
  return false;
}

/**
 * Headless, and quiet on the network: the machines that run the tests have none, and without
 * these flags chromium keeps trying (updates, sync, QUIC) and logs each failure.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
