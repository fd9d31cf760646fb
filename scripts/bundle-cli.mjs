// Bundles the compiled CLI (dist/src/cli/main.js and the ~85 modules it imports) into one
// CommonJS file, dist/src/cli/numapol-body.cjs, which the package's `bin` (numapol.cjs, from
// src/cli/numapol.cts) runs through a V8 code cache. Node's ES module loader resolves, reads and
// links each module on its own: ~50 ms of every command on a 2-vCPU machine, against a few for
// one file (docs/benchmarks.md, "The CLI's start-up"); and Node 20 keeps code caches for scripts only.
// The library's modules stay as tsc wrote them, for importers and types.
// koffi stays outside: it is a native addon, found at run time from the bundle's directory.
import { build } from 'esbuild';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const BODY = 'dist/src/cli/numapol-body.cjs';
const result = await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: BODY,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  // import.meta is ESM-only: the modules' own URL is the bundle's, which sits where main.js does.
  define: { 'import.meta.url': '__numapol_module_url' },
  banner: { js: '"use strict";\nvar __numapol_module_url = require("node:url").pathToFileURL(__filename).href;' },
});
if (result.errors.length > 0 || result.warnings.length > 0) process.exit(1);
// The body is wrapped in a function by the launcher: main.ts's shebang line must go.
writeFileSync(BODY, readFileSync(BODY, 'utf8').replace(/^#!.*\n/, ''));
chmodSync('dist/src/cli/numapol.cjs', 0o755);
// The bin of earlier builds (an ES module bundle).
rmSync('dist/src/cli/numapol.js', { force: true });
