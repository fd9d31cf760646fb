/**
 * numactl's own test scripts (from Debian's source package of the installed numactl, fetched by
 * the harness: harness/numactl-source.ts), run unchanged in the 4-node guest twice: with the real
 * numactl and numastat, and with numapol's shims in their place. Each script gets a build tree as
 * `make test` would leave it: numactl, numastat and migratepages at its top (what the scripts put
 * first on PATH or call as ${builddir}/numactl), its test/ directory, and the two helper programs
 * the scripts call built from that directory's sources (pagesize, ftok). numapol must give every
 * script the outcome the real tools give it, and pass every script they pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandRanges as expand } from '../helpers/expand-ranges.js';
import { buildTarget } from '../targets/build.js';
import { NUMAPOL_BIN } from '../helpers/bin.js';

const SOURCE = process.env['NUMAPOL_VM_NUMACTL_SOURCE'];
const nodes = expand(readFileSync('/sys/devices/system/node/has_memory', 'utf8'));
const skip = nodes.length < 4 && `needs 4 nodes with memory, this machine has ${nodes.length}`;

/** The scripts of numactl's test/ that call numactl or numastat (regress2 only strings three of them together with libnuma's own C tests; regress-io, numademo and runltp do not run numactl). */
const SCRIPTS = ['regress', 'checkaffinity', 'checktopology', 'bind_range', 'shmtest'] as const;

type Tools = 'numactl' | 'numapol';

function source(): string {
  if (SOURCE !== undefined) return SOURCE;
  const why = process.env['NUMAPOL_VM_NUMACTL_SOURCE_ERROR'] ?? 'run this file through the test bed (node dist/test/vm/harness/main.js), which fetches it';
  return assert.fail(`numactl's test scripts are not here: ${why}`);
}

const trees = new Map<Tools, string>();

/** A build tree whose numactl, numastat and migratepages are the real ones or numapol's shims. */
function tree(tools: Tools): string {
  const have = trees.get(tools);
  if (have) return have;
  const src = source();
  const dir = mkdtempSync(join(tmpdir(), `numactl-tests-${tools}-`));
  cpSync(join(src, 'test'), join(dir, 'test'), { recursive: true });
  for (const f of readdirSync(join(dir, 'test'))) if (!f.includes('.')) chmodSync(join(dir, 'test', f), 0o755);
  for (const helper of ['pagesize', 'ftok']) copyFileSync(buildTarget(helper, join(src, 'test')), join(dir, 'test', helper));
  for (const helper of ['pagesize', 'ftok']) chmodSync(join(dir, 'test', helper), 0o755);
  if (tools === 'numactl') {
    for (const t of ['numactl', 'numastat', 'migratepages']) symlinkSync(`/usr/bin/${t}`, join(dir, t));
  } else {
    const r = spawnSync(process.execPath, [NUMAPOL_BIN, 'install-shims', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  trees.set(tools, dir);
  return dir;
}

interface ScriptRun {
  readonly status: number | null;
  readonly output: string;
}

function runScript(tools: Tools, script: string): ScriptRun {
  const dir = tree(tools);
  spawnSync('ipcrm', ['-a']);
  // shmtest works from test/ and calls ../numactl; the others find their tree from $0.
  const r = spawnSync(join(dir, 'test', script), [], {
    cwd: join(dir, 'test'),
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/root', LANG: 'C' },
    timeout: 1_500_000,
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const summary: Record<string, { numactl: number | null; numapol: number | null; lastLines?: { numactl: string[]; numapol: string[] } }> = {};

/** A failing script's output, without the numastat diffs shmtest prints on failure and with numbers masked. */
function steps(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => l !== '' && !/^([-+ @]|---|\+\+\+)/.test(l))
    .map((l) => l.replace(/\d+/g, '#'));
}

for (const script of SCRIPTS) {
  test(`numactl's test/${script} gives numapol the outcome it gives numactl`, { skip }, () => {
    const real = runScript('numactl', script);
    const mine = runScript('numapol', script);
    summary[script] = { numactl: real.status, numapol: mine.status };
    const tail = (r: ScriptRun): string => r.output.split('\n').slice(-25).join('\n');
    assert.equal(mine.status, real.status, `${script}: numactl ${real.status}, numapol ${mine.status}\n--- numapol:\n${tail(mine)}\n--- numactl:\n${tail(real)}`);
    if (real.status === 0) return;
    // A script numactl fails (shmtest trips on numactl 2.0.16's own --offset check) must fail
    // the same way, at the same step, with the same words.
    summary[script]!.lastLines = { numactl: steps(real.output).slice(-3), numapol: steps(mine.output).slice(-3) };
    assert.deepEqual(steps(mine.output), steps(real.output), script);
  });
}

test('the scripts numactl passes, numapol passes', { skip }, () => {
  const out = process.env['NUMAPOL_VM_OUT'];
  if (out !== undefined && existsSync(out)) writeFileSync(join(out, 'numactl-scripts.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const passed = Object.entries(summary).filter(([, s]) => s.numactl === 0).map(([k]) => k);
  assert.ok(passed.length >= 4, `numactl itself passed only ${passed.join(', ')}: ${JSON.stringify(summary)}`);
  for (const k of passed) assert.equal(summary[k]!.numapol, 0, k);
});
