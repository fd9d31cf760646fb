/**
 * A V8 code cache for the bundled CLI (numapol.cts loads the bundle through it). V8 compiles
 * each function the first time it runs; a one-shot command runs hundreds of them once, so that
 * compiling is a good part of what it costs beyond Node's own start-up. The cache keeps the
 * bytecode of every function a command ran, per command: the first run of `numapol set` writes
 * it, later runs of the same build of numapol and Node skip that work.
 *
 * A code cache is code: V8 runs what it holds. So it is read only from a file the current user
 * owns and nobody else may write, and written only into such a directory (root: /var/cache/
 * numapol; others: $XDG_CACHE_HOME/numapol or ~/.cache/numapol; NUMAPOL_CODE_CACHE=DIR picks
 * another, NUMAPOL_CODE_CACHE=off none). Anything unexpected means "no cache": numapol then
 * compiles as usual, and never reports it (the cache only saves time).
 */
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeFileSync, constants, type Stats } from 'node:fs';
import { join } from 'node:path';

/** The directory for caches, or undefined for none. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env['NUMAPOL_CODE_CACHE'];
  if (chosen !== undefined) return chosen === '' || chosen === 'off' ? undefined : chosen;
  if (process.geteuid?.() === 0) return '/var/cache/numapol';
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'numapol');
  const home = env['HOME'];
  return home !== undefined && home.startsWith('/') ? join(home, '.cache', 'numapol') : undefined;
}

/** Owned by the user running numapol and writable by nobody else. */
function trusted(st: Stats): boolean {
  return st.uid === (process.geteuid?.() ?? -1) && (st.mode & 0o022) === 0;
}

/**
 * The cache file of `command` for this exact bundle and Node. V8 checks its own version and
 * flags, but of the source only its length: the bundle's size and mtime tell builds apart.
 */
export function codeCacheFile(dir: string, bundle: string, command: string): string {
  const st = statSync(bundle);
  const name = /^[a-z][a-z-]{0,31}$/.test(command) ? command : 'other';
  return join(dir, `${name}-${process.version}-${process.arch}-${st.size}-${Math.trunc(st.mtimeMs)}.v8`);
}

/** The cache's bytes, or undefined when there is none to trust. */
export function readCodeCache(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || !trusted(st) || st.size === 0) return undefined;
    const buf = Buffer.allocUnsafe(st.size);
    let done = 0;
    while (done < buf.length) {
      const n = readSync(fd, buf, done, buf.length - done, done);
      if (n === 0) return undefined;
      done += n;
    }
    return buf;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `data` as `file` (atomically: another numapol may be reading it) and removes the
 * caches of other builds. A directory that cannot be trusted or written gets none.
 */
export function writeCodeCache(file: string, data: Buffer): void {
  const dir = join(file, '..');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!trusted(statSync(dir))) return;
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
    // What codeCacheFile put after the command's name: this build's caches end with it.
    const build = file.slice(file.lastIndexOf(`-${process.version}-`));
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.v8') && !name.endsWith(build)) rmSync(join(dir, name), { force: true });
    }
  } catch {
    // No cache this time: the next run tries again.
  }
}
