import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { HarnessError } from '../vm/harness/exit-codes.js';
import { buildTopology, cpuCount, parseDistances, presetDistances, topologyFromEnv, totalMemMiB } from '../vm/harness/topology.js';

test('line preset: 10 local, 20 neighbour, 30 further', () => {
  assert.deepEqual(presetDistances('line', 4), [
    [10, 20, 30, 30],
    [20, 10, 20, 30],
    [30, 20, 10, 20],
    [30, 30, 20, 10],
  ]);
  assert.deepEqual(presetDistances('uniform', 2), [[10, 20], [20, 10]]);
  assert.equal(presetDistances('nope', 2), undefined);
});

test('parseDistances reads rows and flat lists, and rejects what Linux would ignore', () => {
  assert.deepEqual(parseDistances('10,21;21,10', 2), [[10, 21], [21, 10]]);
  assert.deepEqual(parseDistances('10 40 / 50 10', 2), [[10, 40], [50, 10]]);
  assert.deepEqual(parseDistances('10,21,21,10', 2), [[10, 21], [21, 10]]);
  assert.throws(() => parseDistances('10,20,20', 2), /needs 4 values, got 3/);
  assert.throws(() => parseDistances('11,20;20,10', 2), /local distance of node 0 must be 10/);
  assert.throws(() => parseDistances('10,10;20,10', 2), /distance 0->1 must be 11..254/);
  assert.throws(() => parseDistances('10,x;20,10', 2), HarnessError);
});

test('parseDistances round-trips any valid matrix written as rows', () => {
  const matrix = fc.integer({ min: 1, max: 6 }).chain((n) =>
    fc.array(fc.array(fc.integer({ min: 11, max: 254 }), { minLength: n, maxLength: n }), { minLength: n, maxLength: n })
      .map((rows) => rows.map((r, i) => r.map((d, j) => (i === j ? 10 : d)))));
  fc.assert(fc.property(matrix, (m) => {
    assert.deepEqual(parseDistances(m.map((r) => r.join(',')).join(';'), m.length), m);
  }));
});

test('buildTopology gives one vCPU per node, none to CPU-less nodes', () => {
  const t = buildTopology({ nodes: 4, memMiB: [512], cpuless: [1, 3] });
  assert.deepEqual(t.nodes.map((n) => n.cpus), [[0], [], [1], []]);
  assert.equal(cpuCount(t), 2);
  assert.equal(totalMemMiB(t), 2048);
  assert.deepEqual(t.distances, presetDistances('line', 4));
});

test('buildTopology takes per-node sizes and rejects impossible requests', () => {
  const t = buildTopology({ nodes: 2, memMiB: [256, 768], cpuless: [], dist: 'uniform' });
  assert.deepEqual(t.nodes.map((n) => n.memMiB), [256, 768]);
  assert.throws(() => buildTopology({ nodes: 3, memMiB: [256, 256], cpuless: [] }), /one size or 3 sizes/);
  assert.throws(() => buildTopology({ nodes: 2, memMiB: [256], cpuless: [0, 1] }), /at least one node needs a CPU/);
  assert.throws(() => buildTopology({ nodes: 2, memMiB: [256], cpuless: [2] }), /node 2 does not exist/);
  assert.throws(() => buildTopology({ nodes: 0, memMiB: [256], cpuless: [] }), /--nodes/);
  assert.throws(() => buildTopology({ nodes: 1, memMiB: [16], cpuless: [] }), /at least 64 MiB/);
});

test('topologyFromEnv reads back what the harness passes', () => {
  const t = buildTopology({ nodes: 3, memMiB: [128], cpuless: [2] });
  assert.deepEqual(topologyFromEnv({ NUMAPOL_VM_TOPOLOGY: JSON.stringify(t) }), t);
  assert.equal(topologyFromEnv({}), undefined);
});
