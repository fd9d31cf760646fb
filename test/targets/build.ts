/**
 * Compiles the target programs at test time, once per source version: the binary is cached
 * under the OS temp dir by a hash of its source. C with the machine's `cc`; Go with Debian's
 * `go`, installed on first use (as root) like the test bed's other packages.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureHostPackages } from '../vm/harness/deps.js';
import { onPath } from '../vm/harness/proc.js';

/** test/targets/ in the source tree (this file runs from dist/test/targets/). */
export const TARGET_SOURCES = fileURLToPath(new URL('../../../test/targets/', import.meta.url));

const BUILDS = join(tmpdir(), 'numapol-targets');

/**
 * Path of `<sources>/<name>.<ext>` built by `compile(src, out)`, reused while the source and the
 * `recipe` (the compiler's flags) are unchanged.
 */
function cachedBuild(name: string, ext: string, sources: string, recipe: string, compile: (src: string, out: string) => void): string {
  const src = join(sources, `${name}.${ext}`);
  const hash = createHash('sha256').update(recipe).update('\0').update(readFileSync(src)).digest('hex').slice(0, 16);
  const bin = join(BUILDS, `${name}-${ext}-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(BUILDS, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  compile(src, tmp);
  renameSync(tmp, bin);
  return bin;
}

/** Path of the compiled `name` (`<sources>/<name>.c`, test/targets/ by default), building it if needed. */
export function buildTarget(name: string, sources = TARGET_SOURCES): string {
  return cachedBuild(name, 'c', sources, C_FLAGS.join(' '), (src, out) => {
    execFileSync('cc', [...C_FLAGS, '-o', out, src], { stdio: ['ignore', 'inherit', 'inherit'] });
  });
}

/**
 * `-z now` binds every symbol at load. With lazy binding, a program's first call through the PLT
 * runs the dynamic linker's resolver, which saves the CPU's whole extended register state on the
 * caller's stack: with AVX-512 that is over 2 KiB, more than the small-stack target's own stack,
 * so on such CPUs that target damaged its neighbour by itself (CPU-dependent test failures).
 */
const C_FLAGS = ['-O1', '-Wall', '-pthread', '-Wl,-z,now'];

/**
 * Path of the compiled Go program `<sources>/<name>.go`: standard library only, no cgo, so a
 * static binary with no libc (the engine finds its syscall instruction elsewhere).
 */
export function buildGoTarget(name: string, sources = TARGET_SOURCES): string {
  return cachedBuild(name, 'go', sources, 'go build CGO_ENABLED=0', (src, out) => {
    ensureHostPackages([{ pkg: 'golang-go', present: () => onPath('go') }]);
    const env = { ...process.env, CGO_ENABLED: '0', GOCACHE: join(BUILDS, 'go-cache'), GOPATH: join(BUILDS, 'go-path'), GOFLAGS: '', GO111MODULE: 'off' };
    execFileSync('go', ['build', '-o', out, src], { stdio: ['ignore', 'inherit', 'inherit'], env });
  });
}
