import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { guestInitScript } from './guest-init.js';
import type { CachedKernel } from './kernel.js';
import { run, say } from './proc.js';

export const BUSYBOX = '/bin/busybox';

/**
 * Cache key of an initramfs: changes when the init script, the modules or busybox change, so
 * an edited harness never boots a stale /init.
 */
export function initramfsKey(init: string, kernel: Pick<CachedKernel, 'release' | 'order'>, busybox: { size: number; mtimeMs: number }): string {
  return createHash('sha256')
    .update(init).update('\0').update(kernel.release).update('\0').update(kernel.order.join(','))
    .update('\0').update(`${busybox.size}:${busybox.mtimeMs}`)
    .digest('hex').slice(0, 16);
}

/**
 * The gzip'd newc cpio the kernel unpacks as its first root: static busybox, the modules with a
 * load-order file, and /init. Built once per key and kept in the cache.
 */
export function ensureInitramfs(cache: string, kernel: CachedKernel): string {
  const init = guestInitScript();
  const bb = statSync(BUSYBOX);
  const out = join(cache, `initramfs-${initramfsKey(init, kernel, bb)}.cpio.gz`);
  if (existsSync(out)) return out;
  say('building initramfs');
  const stage = mkdtempSync(join(cache, 'tmp-initramfs-'));
  try {
    for (const d of ['bin', 'dev', 'proc', 'sys', 'etc', 'lib/modules']) mkdirSync(join(stage, d), { recursive: true });
    copyFileSync(BUSYBOX, join(stage, 'bin/busybox'));
    chmodSync(join(stage, 'bin/busybox'), 0o755);
    writeFileSync(join(stage, 'init'), init, { mode: 0o755 });
    writeFileSync(join(stage, 'etc/modules.order'), kernel.order.join('\n') + '\n');
    for (const m of kernel.order) copyFileSync(join(kernel.moduleDir, `${m}.ko`), join(stage, 'lib/modules', `${m}.ko`));
    const tmpOut = `${out}.tmp${process.pid}`;
    run('sh', ['-c', 'find . | cpio -o -H newc -R 0:0 --quiet | gzip -6 > "$1"', 'sh', tmpOut], { cwd: stage });
    renameSync(tmpOut, out);
    return out;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
