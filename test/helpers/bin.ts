/**
 * The CLI as users get it: the file package.json's `bin` names (the bundle that
 * scripts/bundle-cli.mjs makes after tsc), so tests and benchmarks run what ships.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Compiled to dist/test/helpers/: the package root is three levels up.
const root = new URL('../../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { bin: { numapol: string } };

export const NUMAPOL_BIN = fileURLToPath(new URL(pkg.bin.numapol, root));
