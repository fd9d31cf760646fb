import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHIM_NAMES, shimScript } from '../../src/cli/shims.js';
import { numapol } from './helpers.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'numapol-shims-test-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('install-shims writes three executable front ends into a new directory', () => {
  withDir((base) => {
    const dir = join(base, 'bin');
    const r = numapol(['install-shims', dir, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { shims: { name: string; path: string; replaced: boolean }[] };
    assert.deepEqual(report.shims.map((s) => [s.name, s.path, s.replaced]), SHIM_NAMES.map((n) => [n, join(dir, n), false]));
    for (const n of SHIM_NAMES) {
      assert.equal(statSync(join(dir, n)).mode & 0o777, 0o755);
      assert.match(readFileSync(join(dir, n), 'utf8'), new RegExp(`^#!/bin/sh\\n[\\s\\S]*\\nexec '[^']+' '[^']+numapol\\.cjs' ${n} "\\$@"\\n$`));
    }
    // The shims answer as the tools, found on PATH by their names; a program keeps the shim's pid.
    const run = spawnSync('sh', ['-c', 'numactl -- sh -c \'echo $$\' & echo $!; wait; numastat -V; migratepages'], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env['PATH']}` } });
    const [child, bg, version] = run.stdout.split('\n');
    assert.equal(child, bg);
    assert.match(version!, /^numastat version: 20130723: numapol /);
    assert.match(run.stderr, /^usage: migratepages /);
  });
});

test('install-shims never replaces a file without --force, and names what is in the way', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'numastat'), '#!/bin/sh\necho the real one\n', { mode: 0o755 });
    const r = numapol(['install-shims', dir]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `numapol: ${join(dir, 'numastat')} already exists: numapol does not replace a file it did not write unless told to (--force)\n`);
    assert.equal(readFileSync(join(dir, 'numastat'), 'utf8'), '#!/bin/sh\necho the real one\n');
    assert.throws(() => statSync(join(dir, 'numactl')), /ENOENT/);
    const forced = numapol(['install-shims', dir, '--force']);
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(forced.stdout, new RegExp(`^wrote ${join(dir, 'numactl')}\\nreplaced ${join(dir, 'numastat')}\\n`));
  });
});

test('shimScript quotes paths for sh', () => {
  const s = shimScript('numactl', { node: "/opt/it's/node", numapol: '/x y/numapol.cjs', version: '1' });
  const r = spawnSync('sh', ['-n', '-c', s]);
  assert.equal(r.status, 0);
  assert.match(s, /exec '\/opt\/it'\\''s\/node' '\/x y\/numapol\.cjs' numactl "\$@"/);
});
