// Runs the compiled test files with node's test runner. `unit`: every *.test.js outside
// dist/test/vm; `vm`: the *.test.js files under dist/test/vm (run inside the default 4-node
// guest); `vm-cpuless`: the *.cpuless.test.js files there, run in a guest with a memory-only node.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const which = process.argv[2] ?? 'unit';
const extra = process.argv.slice(3);
const root = 'dist/test';

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const all = walk(root);
const vmDir = join(root, 'vm');
const files = all.filter((f) => {
  const inVm = !relative(vmDir, f).startsWith('..');
  const cpuless = f.endsWith('.cpuless.test.js');
  if (which === 'vm-cpuless') return inVm && cpuless;
  return which === 'vm' ? inVm && !cpuless : !inVm;
});
if (files.length === 0) {
  console.error(`no ${which} test files under ${root}: run npm run build first`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...extra, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
