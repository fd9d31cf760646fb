import { spawnSync } from 'node:child_process';
import { HarnessError } from './exit-codes.js';
import { onPath, run, say } from './proc.js';

/** A Debian package the harness needs and how to tell it is there. */
export interface HostPackage {
  readonly pkg: string;
  readonly present: () => boolean;
}

const dpkgInstalled = (pkg: string) => () =>
  spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout?.includes('install ok installed') === true;

/**
 * What the test bed uses on the host. busybox-static is checked by package, not by path: the
 * dynamic busybox package also installs /bin/busybox, which cannot run in the initramfs.
 * numactl is used inside the guest (the guest sees the host's root file system).
 */
export const HOST_PACKAGES: readonly HostPackage[] = [
  { pkg: 'qemu-system-x86', present: () => onPath('qemu-system-x86_64') },
  { pkg: 'xz-utils', present: () => onPath('xz') },
  { pkg: 'cpio', present: () => onPath('cpio') },
  { pkg: 'busybox-static', present: dpkgInstalled('busybox-static') },
  { pkg: 'numactl', present: () => onPath('numactl') && onPath('migratepages') },
];

const aptEnv = () => ({ ...process.env, DEBIAN_FRONTEND: 'noninteractive' });

let aptUpdated = false;

/** `apt-get update`, at most once per run. */
export function aptUpdate(): void {
  if (aptUpdated) return;
  say('apt-get update');
  run('apt-get', ['update', '-q'], { env: aptEnv() });
  aptUpdated = true;
}

/** True when running as root (apt needs it). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Installs the missing packages with apt-get (retrying once after `apt-get update`, for a
 * machine whose package lists are empty or stale). Without root it only explains what to do.
 */
export function ensureHostPackages(pkgs: readonly HostPackage[] = HOST_PACKAGES, root = isRoot()): void {
  const missing = pkgs.filter((p) => !p.present()).map((p) => p.pkg);
  if (missing.length === 0) return;
  if (!root) {
    throw new HarnessError(`missing packages: ${missing.join(' ')}; install them as root: apt-get install -y ${missing.join(' ')}`);
  }
  say(`installing ${missing.join(' ')}`);
  const args = ['install', '-y', '-q', '--no-install-recommends', ...missing];
  try {
    run('apt-get', args, { env: aptEnv() });
  } catch {
    aptUpdate();
    run('apt-get', args, { env: aptEnv() });
  }
  const still = pkgs.filter((p) => !p.present()).map((p) => p.pkg);
  if (still.length) throw new HarnessError(`apt-get installed but still missing: ${still.join(' ')}`);
}
