/**
 * `numapol run` in every mode, in the 4-node guest: the program (test/targets/alloc-report.c)
 * touches 32 MiB and reports where its pages landed, the policy its numa_maps shows and its CPUs.
 * Skips on machines with fewer than 4 nodes with memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { buildTarget } from '../targets/build.js';
import { expandRanges as expand } from '../helpers/expand-ranges.js';
import { NUMAPOL_BIN } from '../helpers/bin.js';

const MAIN = NUMAPOL_BIN;
const SYS = '/sys/devices/system/node';
const nodes = expand(readFileSync(`${SYS}/has_memory`, 'utf8'));
const skip = nodes.length < 4 && `needs 4 nodes with memory, this machine has ${nodes.length}`;
const MIB = 32;

interface Report {
  pid: number;
  pages: number;
  unplaced: number;
  policy: string;
  cpus: string;
  nodes: Record<string, number>;
}

interface RunResult {
  status: number | null;
  stderr: string;
  pid: number;
  report?: Report;
}

let bin: string | undefined;
function runUnder(opts: string[]): RunResult {
  bin ??= buildTarget('alloc-report');
  const r = spawnSync(process.execPath, [MAIN, 'run', ...opts, '--', bin, String(MIB)], { encoding: 'utf8', timeout: 300_000 });
  if (r.error) throw r.error;
  const out: RunResult = { status: r.status, stderr: r.stderr, pid: r.pid ?? -1 };
  if (r.status === 0) out.report = JSON.parse(r.stdout) as Report;
  return out;
}

function placed(opts: string[]): Report {
  const r = runUnder(opts);
  assert.equal(r.status, 0, `${opts.join(' ')}: ${r.stderr}`);
  const rep = r.report!;
  assert.equal(rep.pid, r.pid, 'the program kept numapol pid');
  assert.equal(rep.unplaced, 0);
  assert.equal(rep.pages, (MIB << 20) / 4096);
  return rep;
}

const on = (rep: Report, ...ns: number[]): number => ns.reduce((a, n) => a + (rep.nodes[String(n)] ?? 0), 0);

test('run --membind=2: every page on node 2', { skip }, () => {
  const rep = placed(['--membind=2']);
  assert.equal(on(rep, 2), rep.pages, JSON.stringify(rep.nodes));
  assert.equal(rep.policy, 'bind:2');
});

test('run --interleave=0-3: pages spread evenly over the four nodes', { skip }, () => {
  const rep = placed(['--interleave=0-3']);
  assert.equal(rep.policy, 'interleave:0-3');
  const quarter = rep.pages / 4;
  for (const n of [0, 1, 2, 3]) {
    const got = on(rep, n);
    assert.ok(Math.abs(got - quarter) <= quarter * 0.02, `node ${n}: ${got} of ${rep.pages} (${JSON.stringify(rep.nodes)})`);
  }
});

test('run --preferred=1: (nearly) every page on node 1', { skip }, () => {
  const rep = placed(['--preferred=1']);
  assert.equal(rep.policy, 'prefer:1');
  assert.ok(on(rep, 1) >= rep.pages * 0.95, JSON.stringify(rep.nodes));
});

test('run --preferred-many=1,2: the pages are on nodes 1 and 2', { skip }, () => {
  const rep = placed(['--preferred-many=1,2']);
  assert.equal(rep.policy, 'prefer (many):1-2');
  assert.ok(on(rep, 1, 2) >= rep.pages * 0.95, JSON.stringify(rep.nodes));
});

test('run --weighted-interleave=0-3: spread by weight (6.9+ kernels)', { skip }, (t) => {
  const r = runUnder(['--weighted-interleave=0-3']);
  const [maj, min] = readFileSync('/proc/sys/kernel/osrelease', 'utf8').split('.').map(Number) as [number, number];
  if (maj < 6 || (maj === 6 && min < 9)) {
    // An old kernel: numapol must say why, exit 1, before touching anything.
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^numapol: weighted_interleave needs Linux 6\.9 or later: this kernel is \d/);
    t.skip(`this kernel lacks MPOL_WEIGHTED_INTERLEAVE: numapol said "${r.stderr.trim()}"`);
    return;
  }
  assert.equal(r.status, 0, r.stderr);
  const rep = r.report!;
  assert.equal(rep.policy, 'weighted interleave:0-3');
  for (const n of [0, 1, 2, 3]) assert.ok(on(rep, n) > 0, `node ${n}: ${JSON.stringify(rep.nodes)}`);
});

test("run --localalloc --cpunodebind=1: runs on node 1's CPUs, pages local to them", { skip }, () => {
  const rep = placed(['--localalloc', '--cpunodebind=1']);
  assert.deepEqual(expand(rep.cpus), expand(readFileSync(`${SYS}/node1/cpulist`, 'utf8')));
  assert.equal(rep.policy, 'local');
  assert.ok(on(rep, 1) >= rep.pages * 0.95, JSON.stringify(rep.nodes));
});

test("run --policy 'bind=static:0-1': kernel policy text, pages on nodes 0-1", { skip }, () => {
  const rep = placed(['--policy', 'bind=static:0-1']);
  assert.equal(rep.policy, 'bind=static:0-1');
  assert.equal(on(rep, 0, 1), rep.pages, JSON.stringify(rep.nodes));
});

test('run --balancing --membind=3: bind with NUMA balancing, pages on node 3', { skip }, () => {
  const rep = placed(['--balancing', '--membind=3']);
  assert.match(rep.policy, /^bind(=balancing)?:3$/);
  assert.equal(on(rep, 3), rep.pages, JSON.stringify(rep.nodes));
});

test('run -N 2 -m 2 options-first without --, exit status passes through', { skip }, () => {
  const r = spawnSync(process.execPath, [MAIN, 'run', '-N', '2', '-m', '2', 'sh', '-c', 'grep -q "^Cpus_allowed_list:[[:space:]]*2$" /proc/self/status && exit 5'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 5, r.stderr);
});
