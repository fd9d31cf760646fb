// Admission (numad -w): which nodes a new job should get, with the reasons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adviseNodes } from '../../../src/daemon/placement/index.js';
import { NumapolError } from '../../../src/errors.js';
import { GiB, LINE4, guest, machine } from './machines.js';

test('a job one node can hold goes to the emptiest node that can', () => {
  // Nodes 0-3 have 1, 3, 2, 3 GiB free; node 3 is half busy.
  const m = guest({ 0: { freeGiB: 1 }, 1: { freeGiB: 3 }, 2: { freeGiB: 2 }, 3: { freeGiB: 3, idle: 0.5 } });
  const a = adviseNodes({ cpus: 1, memBytes: 1.5 * GiB }, m);
  assert.deepEqual(a.best?.nodes, [1]);
  assert.deepEqual(a.best?.cpus, [1]);
  assert.deepEqual(a.nodes, [1]);
  assert.match(a.reason, /^node 1 for 1 CPU and 1\.5 GiB \(score 0\.\d\d\): node 1: 3\.0 GiB free for 1\.5 GiB, 1\.0 CPU idle for 1\.0 asked$/);
  // Node 0 cannot hold it alone; it is shown, after every set that can.
  const on0 = a.candidates.find((c) => c.nodes.length === 1 && c.nodes[0] === 0)!;
  assert.equal(on0.fits, false);
  assert.ok(a.candidates.slice(a.candidates.indexOf(on0)).every((c) => !c.fits));
});

test('a job that needs the CPUs of two nodes gets two neighbours, not two far apart', () => {
  // One CPU per node: a 2-CPU job on one node would get half its CPU.
  const m = guest();
  const a = adviseNodes({ cpus: 2, memBytes: 1 * GiB }, m);
  assert.equal(a.nodes.length, 2);
  const [x, y] = a.nodes as [number, number];
  assert.equal(LINE4[x]![y], 20, `nodes ${x},${y} are at distance ${LINE4[x]![y]}`);
  assert.deepEqual(a.best?.cpuNodes, a.nodes);
  assert.equal(a.best?.cpus.length, 2);
  assert.equal(a.best?.parts.cpu, 1);
  assert.match(a.best!.reason, /2\.0 CPUs idle for 2\.0 asked, mean distance 15\.0$/);
  // The single nodes are shown with their CPU shortfall, and rank lower.
  const single = a.candidates.find((c) => c.cpuNodes.length === 1)!;
  assert.equal(single.parts.cpu, 0.5);
  assert.ok(single.score < a.best!.score);
});

test('no node set holds it: no advice, and why', () => {
  const a = adviseNodes({ cpus: 1, memBytes: 64 * GiB }, guest());
  assert.equal(a.best, null);
  assert.equal(a.reason, 'no node set has room for 1 CPU and 64 GiB');
});

test('the cpuset is respected, and memory-only nodes lend memory but no home', () => {
  // Node 2 (memory only) is nearer to node 1 than node 0 is.
  const m = machine(
    [
      { cpus: 2, freeGiB: 1 },
      { cpus: 2, freeGiB: 1 },
      { cpus: 0, freeGiB: 8 },
    ],
    [
      [10, 20, 25],
      [20, 10, 14],
      [25, 14, 10],
    ],
  );
  const a = adviseNodes({ cpus: 1, memBytes: 4 * GiB }, m, { cpuset: { mems: [0, 1, 2], cpus: [2, 3] } });
  // Only node 1's CPUs (2, 3) are allowed: node 1 is the home, node 2 lends memory.
  assert.deepEqual(a.best?.nodes, [1, 2]);
  assert.deepEqual(a.best?.cpuNodes, [1]);
  assert.deepEqual(a.nodes, [1, 2]);
  assert.ok(a.candidates.every((c) => c.home === 1));
});

test('a request that is not a size is refused', () => {
  assert.throws(
    () => adviseNodes({ cpus: -1, memBytes: 1 }, guest()),
    (e: unknown) => e instanceof NumapolError && e.code === 'EINVAL',
  );
  assert.throws(() => adviseNodes({ cpus: 1, memBytes: Number.NaN }, guest()), NumapolError);
});
