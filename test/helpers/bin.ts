/**
 * The CLI as users get it: the file package.json's `bin` names (the bundle that
 * scripts/bundle-cli.mjs makes after tsc), so tests and benchmarks run what ships.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to dist/test/helpers/: the package root is three levels up.
const root = new URL('../../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { bin: { numapol: string } };

export const NUMAPOL_BIN = fileURLToPath(new URL(pkg.bin.numapol, root));

/** numapol.cjs, the bin, runs numapol-body.cjs (the bundle) beside it. */
export const NUMAPOL_BODY = join(NUMAPOL_BIN, '..', 'numapol-body.cjs');

// The CLI keeps V8 code caches (src/cli/code-cache.cts): tests use them as users would, in a
// directory of their own rather than the machine's /var/cache/numapol or ~/.cache/numapol,
// removed when the test process ends.
if (process.env['NUMAPOL_CODE_CACHE'] === undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'numapol-code-cache-'));
  process.env['NUMAPOL_CODE_CACHE'] = dir;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
}
