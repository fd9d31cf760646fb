import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aptUpdate } from './deps.js';
import { HarnessError } from './exit-codes.js';
import { resolveGuestModules } from './modules.js';
import { run, say } from './proc.js';

/** A kernel extracted into the cache: the image and the guest modules in load order. */
export interface CachedKernel {
  readonly pkg: string;
  readonly release: string;
  readonly vmlinuz: string;
  /**
   * The uncompressed ELF image, booted directly through its PVH entry: under TCG this skips
   * about 6 s of emulated XZ decompression. Absent when it could not be extracted.
   */
  readonly vmlinux?: string | undefined;
  /** Directory holding <name>.ko for each module in `order`. */
  readonly moduleDir: string;
  readonly order: readonly string[];
}

const KERNEL_PKG = /^linux-image-(6\.1\.\d+-\d+)-amd64$/;

/** Compares dotted/dashed version strings numerically, part by part. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The newest plain (not cloud/rt/dbg/unsigned) 6.1 amd64 image among package names. */
export function newestKernelPackage(names: readonly string[]): string | undefined {
  return names
    .map((n) => ({ n, m: KERNEL_PKG.exec(n.trim()) }))
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => compareVersions(a.m[1]!, b.m[1]!))
    .at(-1)?.n.trim();
}

function findKernelPackage(): string {
  const look = () => newestKernelPackage(run('apt-cache', ['pkgnames', 'linux-image-6.1']).split('\n'));
  let pkg = look();
  if (!pkg) {
    aptUpdate();
    pkg = look();
  }
  if (!pkg) throw new HarnessError('apt knows no linux-image-6.1.*-amd64 package (is a Debian bookworm source configured?)');
  return pkg;
}

/** Offset of the XZ stream inside a bzImage (Debian builds its kernels XZ-compressed). */
export function xzPayloadOffset(bzImage: Buffer): number {
  return bzImage.indexOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
}

/** Unpacks the ELF vmlinux from a bzImage with xz; false (and no file) when that fails. */
function extractVmlinux(bzImage: string, out: string): boolean {
  const img = readFileSync(bzImage);
  const at = xzPayloadOffset(img);
  if (at < 0) return false;
  const r = spawnSync('xz', ['-dc', '--single-stream'], { input: img.subarray(at), maxBuffer: 512 * 1024 * 1024 });
  const elf = r.stdout;
  if (r.status !== 0 || !elf || elf.length < 4 || elf.readUInt32BE(0) !== 0x7f454c46) return false;
  writeFileSync(out, elf);
  return true;
}

function readManifest(path: string): CachedKernel | undefined {
  try {
    const k = JSON.parse(readFileSync(path, 'utf8')) as CachedKernel;
    return existsSync(k.vmlinuz) && (k.vmlinux === undefined || existsSync(k.vmlinux)) && k.order.every((m) => existsSync(join(k.moduleDir, `${m}.ko`))) ? k : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The guest kernel, from the cache or else fetched with `apt-get download` and unpacked with
 * `dpkg -x` (never installed into /boot). Only the image and the few modules the guest loads
 * are kept; the rest of the 400 MB tree is dropped.
 */
export function ensureKernel(cache: string, refresh = false): CachedKernel {
  const manifest = join(cache, 'kernel.json');
  if (!refresh) {
    const k = readManifest(manifest);
    if (k) return k;
  }
  mkdirSync(cache, { recursive: true });
  const pkg = findKernelPackage();
  const tmp = mkdtempSync(join(cache, 'tmp-kernel-'));
  try {
    say(`fetching ${pkg} (apt-get download, dpkg -x)`);
    run('apt-get', ['download', '-q', pkg], { cwd: tmp });
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (!deb) throw new HarnessError(`apt-get download ${pkg} produced no .deb`);
    const root = join(tmp, 'root');
    run('dpkg', ['-x', join(tmp, deb), root]);
    const libModules = existsSync(join(root, 'lib/modules')) ? join(root, 'lib/modules') : join(root, 'usr/lib/modules');
    const release = readdirSync(libModules)[0];
    if (!release) throw new HarnessError(`${pkg} has no lib/modules/<release>`);
    const mods = resolveGuestModules(join(libModules, release));
    const dest = join(tmp, 'kernel');
    mkdirSync(join(dest, 'modules'), { recursive: true });
    copyFileSync(join(root, 'boot', `vmlinuz-${release}`), join(dest, 'vmlinuz'));
    const vmlinux = extractVmlinux(join(dest, 'vmlinuz'), join(dest, 'vmlinux'));
    for (const [name, file] of mods) copyFileSync(file, join(dest, 'modules', `${name}.ko`));
    const final = join(cache, release);
    if (refresh) rmSync(final, { recursive: true, force: true });
    try {
      renameSync(dest, final);
    } catch (e) {
      // Another run unpacked the same package meanwhile: use its copy.
      if (!existsSync(join(final, 'vmlinuz'))) throw e;
    }
    const k: CachedKernel = { pkg, release, vmlinuz: join(final, 'vmlinuz'), vmlinux: vmlinux ? join(final, 'vmlinux') : undefined, moduleDir: join(final, 'modules'), order: mods.map(([n]) => n) };
    writeFileSync(`${manifest}.tmp`, JSON.stringify(k, null, 2));
    renameSync(`${manifest}.tmp`, manifest);
    return k;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
