// The node map of a job move: migrate_pages' relative placement, and which FROM/TO pairs a job
// move accepts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../../src/errors.js';
import { inverseMap, jobNodeMap, mapNode, mapNodes } from '../../../src/ops/jobs/node-map.js';

test('the examples: 0-3 → 4-7 and 0-1 → 2-3 keep each node\'s place', () => {
  assert.deepEqual([...jobNodeMap([0, 1, 2, 3], [4, 5, 6, 7]).map], [[0, 4], [1, 5], [2, 6], [3, 7]]);
  assert.deepEqual([...jobNodeMap([0, 1], [2, 3]).map], [[0, 2], [1, 3]]);
  // Overlapping sets: a shift, each node to its own partner.
  assert.deepEqual([...jobNodeMap([0, 1], [1, 2]).map], [[0, 1], [1, 2]]);
  // A node that is its own partner is not in the map.
  assert.deepEqual([...jobNodeMap([0, 1], [0, 3]).map], [[1, 3]]);
});

test('TO larger than FROM: its first |FROM| nodes are used', () => {
  const m = jobNodeMap([0, 1], [1, 2, 3]);
  assert.deepEqual(m.to, [1, 2]);
  // migrate_pages itself would keep node 1 and move 0 onto it: the job would pile on node 1.
  assert.deepEqual([...m.map], [[0, 1], [1, 2]]);
});

test('TO smaller than FROM, or an empty side, is a usage error naming the sets', () => {
  assert.throws(() => jobNodeMap([0, 1, 2, 3], [4, 5]), (e: unknown) => e instanceof UsageError && /on 4 nodes \(0-3\) but --to names 2 \(4-5\)/.test(e.message));
  assert.throws(() => jobNodeMap([], [1]), UsageError);
  assert.throws(() => jobNodeMap([0], []), UsageError);
});

const nodeSets = fc
  .uniqueArray(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 12 })
  .chain((from) => fc.tuple(fc.constant(from), fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { minLength: from.length, maxLength: from.length + 4 })));

test('property: the k-th node of FROM goes to the k-th node of TO, one to one', () => {
  fc.assert(
    fc.property(nodeSets, ([from, to]) => {
      const m = jobNodeMap(from, to);
      const f = [...from].sort((a, b) => a - b);
      const t = [...to].sort((a, b) => a - b);
      f.forEach((n, k) => assert.equal(mapNode(m.map, n), t[k]));
      assert.deepEqual(mapNodes(m.map, f), t.slice(0, f.length), 'the image of FROM is the TO used');
      assert.equal(new Set(m.map.values()).size, m.map.size, 'no two nodes share a partner');
    }),
  );
});

test('property: the inverse map undoes the map on the job\'s nodes', () => {
  fc.assert(
    fc.property(nodeSets, ([from, to]) => {
      const m = jobNodeMap(from, to);
      const back = inverseMap(m.map);
      for (const n of from) assert.equal(mapNode(back, mapNode(m.map, n)), n);
      // And a move back with the sets swapped is that inverse.
      const r = jobNodeMap(m.to, m.from);
      for (const n of from) assert.equal(mapNode(r.map, mapNode(m.map, n)), n);
    }),
  );
});
