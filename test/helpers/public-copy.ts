/**
 * The built package where another user can run it. Tests that run numapol as an unprivileged
 * user (uid 65534) need every directory above the bin to be searchable by that user; a checkout
 * under /root, a home directory or a `mktemp -d` is not. Then the parts that run (dist/src,
 * package.json, koffi) are copied once into a directory everyone may read, removed at exit.
 */
import { chmodSync, constants, cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const checkout = fileURLToPath(new URL('../../../', import.meta.url));
// koffi's native binary is a package of its own per platform (kernel/ffi.ts loads it directly).
const PARTS = ['dist/src', 'package.json', 'node_modules/koffi', `node_modules/@koromix/koffi-linux-${process.arch}`];

/** True when `path` and each directory above it are readable by everyone (directories also searchable). */
export function openToAll(path: string): boolean {
  for (let p = path; ; p = dirname(p)) {
    const mode = statSync(p).mode;
    const isDir = (mode & constants.S_IFMT) === constants.S_IFDIR;
    if ((mode & 0o004) === 0 || (isDir && (mode & 0o001) === 0)) return false;
    if (p === dirname(p)) return true;
  }
}

let copy: string | undefined;

/** A package root holding the built numapol (dist/src, package.json, koffi and its binary) that any user can run. */
export function publicPackageRoot(): string {
  if (PARTS.every((part) => openToAll(join(checkout, part)))) return checkout;
  if (copy !== undefined) return copy;
  // /tmp itself is open to all (mode 1777); the copy is made readable below.
  const dir = mkdtempSync('/tmp/numapol-public-');
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const part of PARTS) cpSync(join(checkout, part), join(dir, part), { recursive: true });
  openTree(dir);
  copy = dir;
  return dir;
}

/** mkdtemp makes the directory 0700, and cpSync keeps the sources' modes, which may be private too. */
function openTree(p: string): void {
  const st = statSync(p);
  if (!st.isDirectory()) {
    chmodSync(p, st.mode | 0o444);
    return;
  }
  chmodSync(p, 0o755);
  for (const name of readdirSync(p)) openTree(join(p, name));
}
