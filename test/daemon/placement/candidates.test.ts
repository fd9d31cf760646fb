// Candidate node sets: single nodes first, grown by distance only when one node cannot hold the
// process, memory-only nodes never a home, nothing outside the cpuset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_WEIGHTS, candidatesFor, indexMachine, initialCapacity, viewProcess } from '../../../src/daemon/placement/index.js';
import { guest, machine, proc } from './machines.js';

function candidates(m: Parameters<typeof indexMachine>[0], p: Parameters<typeof viewProcess>[0]) {
  const ix = indexMachine(m);
  return candidatesFor(viewProcess(p, ix, 0.85), ix, initialCapacity(m, ix), DEFAULT_WEIGHTS);
}

test('a process every node can hold gets the single nodes only', () => {
  const m = guest();
  const c = candidates(m, proc({ mem: { 0: 256, 3: 256 }, cpu: { 0: 1 } }, m));
  assert.deepEqual(c.map((x) => x.nodes).sort(), [[0], [1], [2], [3]]);
  assert.ok(c.every((x) => x.fits));
});

test('a node that cannot hold it grows by distance from it, nearest first, the roomier on a tie', () => {
  // A 1.5 GiB process on node 0 (which has no free memory beyond its own pages). Free: node 1
  // 1 GiB, node 2 0.5 GiB, node 3 2 GiB.
  const m = guest({ 0: { freeGiB: 0 }, 1: { freeGiB: 1 }, 2: { freeGiB: 0.5 }, 3: { freeGiB: 2 } });
  const c = candidates(m, proc({ mem: { 0: 1536 }, cpu: { 0: 1 } }, m));
  const sets = (home: number): number[][] => c.filter((x) => x.home === home).map((x) => [...x.nodes]).sort((a, b) => a.length - b.length);
  // Node 0 holds its own pages: it fits alone and is not grown.
  assert.deepEqual(sets(0), [[0]]);
  // Node 1 (1 GiB) grows to its nearest: nodes 0 and 2 are both at 20, node 0 has more room.
  assert.deepEqual(sets(1), [[1], [0, 1]]);
  // Node 2 (0.5 GiB) grows to node 3 rather than node 1: both at 20, node 3 the roomier.
  assert.deepEqual(sets(2), [[2], [2, 3]]);
  // Node 3 holds it alone.
  assert.deepEqual(sets(3), [[3]]);
  assert.equal(c.find((x) => x.nodes.length === 1 && x.nodes[0] === 2)?.fits, false, 'node 2 alone is shown, and does not fit');
  assert.ok(c.filter((x) => x.nodes.length > 1).every((x) => x.fits));
});

test('memory-only nodes are never a home, and join a set only for memory', () => {
  // Node 0: 1 CPU, 1 GiB free. Node 1: no CPU, 8 GiB free, distance 14 (a CXL expander).
  const m = machine(
    [
      { cpus: 1, totalGiB: 2, freeGiB: 1 },
      { cpus: 0, totalGiB: 8, freeGiB: 8 },
    ],
    [
      [10, 14],
      [14, 10],
    ],
  );
  const c = candidates(m, proc({ mem: { 1: 2048 }, cpu: { 0: 1 } }, m));
  assert.ok(c.every((x) => x.home === 0), 'only node 0 has CPUs');
  assert.ok(!c.some((x) => x.nodes.length === 1 && x.nodes[0] === 1));
  const best = c[0]!;
  assert.deepEqual(best.nodes, [0, 1]);
  assert.deepEqual(best.cpuNodes, [0]);
  assert.deepEqual(best.cpus, [0]);
  assert.equal(best.fits, true);
  assert.deepEqual(best.cpu, { 0: 1 });
});

test('nothing outside the cpuset: memory on cpuset.mems only, CPUs from cpuset.cpus only', () => {
  const m = guest();
  // May use nodes 1-2 for memory and only node 2's CPU (CPU 2).
  const c = candidates(m, proc({ mem: { 0: 256 }, cpu: { 0: 1 }, mems: [1, 2], cpus: [2] }, m));
  assert.ok(c.length > 0);
  for (const x of c) {
    assert.ok(x.nodes.every((n) => n === 1 || n === 2), `nodes ${x.nodes}`);
    assert.deepEqual(x.cpus, [2]);
    assert.equal(x.home, 2);
    assert.ok(Object.keys(x.bytes).every((n) => n === '1' || n === '2'));
  }
});

test('a CPU node outside cpuset.mems can run its threads while its memory goes to an allowed node', () => {
  const m = guest();
  const c = candidates(m, proc({ mem: { 0: 256 }, cpu: { 0: 1 }, mems: [1], cpus: [2] }, m));
  const best = c[0]!;
  assert.deepEqual(best.nodes, [1]);
  assert.deepEqual(best.cpuNodes, [2]);
  assert.deepEqual(best.bytes, { 1: 256 * 1024 * 1024 });
  assert.match(best.reason, /^node 1, CPUs on node 2: /);
});
