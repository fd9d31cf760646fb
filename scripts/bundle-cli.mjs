// Bundles the compiled CLI (dist/src/cli/main.js and the ~85 modules it imports) into one file,
// dist/src/cli/numapol.js, the package's `bin`. Node's ESM loader resolves, reads and links each
// module on its own: ~50 ms of every command on a 2-vCPU machine, against a few for one file
// (README, "Start-up"). The library's modules stay as tsc wrote them, for importers and types.
// koffi stays outside: it is a native addon, found at run time from the bundle's directory.
import { build } from 'esbuild';

const result = await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/src/cli/numapol.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
if (result.errors.length > 0 || result.warnings.length > 0) process.exit(1);
