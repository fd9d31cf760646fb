/**
 * Compiles the C target programs with `cc` at test time, once per source version: the binary
 * is cached under the OS temp dir by a hash of its source.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/targets/ in the source tree (this file runs from dist/test/targets/). */
export const TARGET_SOURCES = fileURLToPath(new URL('../../../test/targets/', import.meta.url));

/** Path of the compiled `name` (`<sources>/<name>.c`, test/targets/ by default), building it if needed. */
export function buildTarget(name: string, sources = TARGET_SOURCES): string {
  const src = join(sources, `${name}.c`);
  const text = readFileSync(src);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'numapol-targets');
  const bin = join(dir, `${name}-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  execFileSync('cc', ['-O1', '-Wall', '-pthread', '-o', tmp, src], { stdio: ['ignore', 'inherit', 'inherit'] });
  renameSync(tmp, bin);
  return bin;
}
