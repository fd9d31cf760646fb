// Automatic placement in the daemon: a process someone pinned keeps its CPUs; the pass then
// gathers its memory where it runs instead of moving it to idler CPUs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keepPin } from '../../src/daemon/auto-placer.js';
import { decide, newPlacementState } from '../../src/daemon/placement/index.js';
import { guest, proc } from './placement/machines.js';

test('keepPin: a pin narrower than the cpuset becomes the CPUs placement may choose; no pin, or an empty overlap, changes nothing', () => {
  const m = guest();
  const p = proc({ mem: { 0: 32, 1: 32, 2: 32, 3: 32 }, cpu: { 2: 1 } }, m);
  assert.deepEqual(keepPin({ ...p, affinity: [2] }).cpuset.cpus, [2]);
  assert.deepEqual(keepPin({ ...p, affinity: [0, 1, 2, 3] }).cpuset.cpus, [0, 1, 2, 3]);
  assert.equal(keepPin(p), p);
  assert.deepEqual(keepPin({ ...p, affinity: [9] }).cpuset.cpus, [0, 1, 2, 3]);
});

test('a process pinned to node 2 and starved there (other work on its CPU) is gathered on node 2, not moved to an idle node', () => {
  const m = guest({ 2: { idle: 0 } });
  const starved = { ...proc({ mem: { 0: 32, 1: 32, 2: 32, 3: 32 }, cpu: { 2: 0.5 }, policy: { text: 'interleave:0-3', mode: 'interleave', nodes: [0, 1, 2, 3], balancing: false } }, m), cpuWanted: 1, affinity: [2] };
  const free = decide([starved], m, {}, newPlacementState(), 1_000_000).decisions[0]!;
  assert.notDeepEqual(free.best?.cpuNodes, [2], 'unpinned, the starved process would go where a CPU is idle');
  const d = decide([keepPin(starved)], m, {}, newPlacementState(), 1_000_000).decisions[0]!;
  assert.equal(d.act, true, d.reason);
  assert.deepEqual(d.best?.nodes, [2]);
  assert.deepEqual(d.best?.cpus, [2]);
});
