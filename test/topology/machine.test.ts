import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMachine } from '../../src/topology/machine.js';
import { fixture } from '../fixtures/fixture-path.js';

test('readMachine on the guest capture', () => {
  const m = readMachine({ root: fixture('sys-guest-4node') });
  assert.deepEqual(
    m.nodes.map((n) => n.id),
    [0, 1, 2, 3],
  );
  assert.deepEqual(m.cpuToNode, { 0: 0, 1: 1, 2: 2, 3: 3 });
  assert.equal(m.distances.rows.length, 4);
  assert.equal(m.interleaveWeights, undefined);
  for (const n of m.nodes) assert.ok(n.memory.totalKiB > 0);
});

test('readMachine on the sparse fixture', () => {
  const m = readMachine({ root: fixture('sys-sparse') });
  assert.deepEqual(
    m.nodes.map((n) => [n.id, n.cpus]),
    [
      [0, [0, 1, 2, 3]],
      [2, []],
    ],
  );
  assert.deepEqual(m.interleaveWeights?.weights, { 0: 3, 2: 1 });
});

test('readMachine on this machine: every CPU belongs to exactly one online node', () => {
  const m = readMachine();
  assert.ok(m.nodes.length >= 1);
  const cpus = m.nodes.flatMap((n) => n.cpus);
  assert.equal(new Set(cpus).size, cpus.length);
  assert.deepEqual(m.distances.nodes, m.online);
});
