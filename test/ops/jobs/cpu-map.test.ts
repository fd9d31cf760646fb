// A thread's CPUs under a job's node map: index for index within the partner node, whole node to
// whole node, nodes outside the map untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cpuTables, partnerCpu, remapCpus } from '../../../src/ops/jobs/cpu-map.js';
import { inverseMap, jobNodeMap } from '../../../src/ops/jobs/node-map.js';

/** `nodes` nodes of `per` CPUs each, numbered in node order. */
function machine(nodes: number, per: number): ReturnType<typeof cpuTables> {
  const cpuToNode: Record<number, number> = {};
  for (let n = 0; n < nodes; n++) for (let i = 0; i < per; i++) cpuToNode[n * per + i] = n;
  return cpuTables(cpuToNode);
}

test('the examples on 8 nodes of 4 CPUs: 0-3 → 4-7', () => {
  const t = machine(8, 4);
  const m = jobNodeMap([0, 1, 2, 3], [4, 5, 6, 7]).map;
  // Pinned to the second CPU of node 1 → the second CPU of node 5.
  assert.deepEqual(remapCpus([5], m, t.nodeCpus, t.cpuNode).cpus, [21]);
  // Bound to node 0 (all its CPUs) → all of node 4's.
  assert.deepEqual(remapCpus([0, 1, 2, 3], m, t.nodeCpus, t.cpuNode).cpus, [16, 17, 18, 19]);
  // CPUs of nodes outside the map stay.
  assert.deepEqual(remapCpus([2, 30], m, t.nodeCpus, t.cpuNode).cpus, [18, 30]);
});

test('partner nodes of different sizes: index modulo the partner\'s count, whole node to whole node', () => {
  const t = cpuTables({ 0: 0, 1: 0, 2: 0, 3: 0, 4: 1, 5: 1 });
  const m = new Map([[0, 1]]);
  assert.equal(partnerCpu(3, [0, 1, 2, 3], [4, 5]), 5);
  assert.deepEqual(remapCpus([2, 3], m, t.nodeCpus, t.cpuNode).cpus, [4, 5]);
  assert.deepEqual(remapCpus([0, 1, 2, 3], m, t.nodeCpus, t.cpuNode).cpus, [4, 5]);
  const back = new Map([[1, 0]]);
  assert.deepEqual(remapCpus([4, 5], back, t.nodeCpus, t.cpuNode).cpus, [0, 1, 2, 3], 'a whole small node → the whole big one');
});

test('a partner without CPUs drops them and says so', () => {
  const t = cpuTables({ 0: 0, 1: 0 });
  const r = remapCpus([0, 1], new Map([[0, 2]]), t.nodeCpus, t.cpuNode);
  assert.deepEqual(r.cpus, []);
  assert.deepEqual(r.dropped, [0, 1]);
});

test('property: each CPU lands on its node\'s partner, and the inverse map gives the set back', () => {
  const arb = fc
    .record({ nodes: fc.integer({ min: 2, max: 8 }), per: fc.integer({ min: 1, max: 6 }) })
    .chain(({ nodes, per }) =>
      fc.record({
        nodes: fc.constant(nodes),
        per: fc.constant(per),
        from: fc.uniqueArray(fc.integer({ min: 0, max: nodes - 1 }), { minLength: 1, maxLength: nodes }),
        to: fc.uniqueArray(fc.integer({ min: 0, max: nodes - 1 }), { minLength: nodes, maxLength: nodes }),
        cpus: fc.uniqueArray(fc.integer({ min: 0, max: nodes * per - 1 }), { minLength: 1, maxLength: nodes * per }),
      }),
    );
  fc.assert(
    fc.property(arb, ({ nodes, per, from, to, cpus }) => {
      const t = machine(nodes, per);
      const m = jobNodeMap(from, to).map;
      const r = remapCpus(cpus, m, t.nodeCpus, t.cpuNode);
      assert.deepEqual(r.dropped, []);
      // Per node, the CPUs on it go to its partner, at the same indexes.
      for (let n = 0; n < nodes; n++) {
        const mine = cpus.filter((c) => Math.floor(c / per) === n).map((c) => c % per).sort((a, b) => a - b);
        if (mine.length === 0) continue;
        const p = m.get(n) ?? n;
        const there = r.cpus.filter((c) => Math.floor(c / per) === p).map((c) => c % per);
        for (const i of mine) assert.ok(there.includes(i), `index ${i} of node ${n} on node ${p}`);
      }
      const back = remapCpus(r.cpus, inverseMap(m), t.nodeCpus, t.cpuNode);
      // Nodes that are partners of job nodes and also hold CPUs of their own (overlapping sets)
      // merge: the round trip is exact when the thread has no CPU on such a node.
      const partners = new Set(m.values());
      const clash = cpus.some((c) => partners.has(Math.floor(c / per)) && !m.has(Math.floor(c / per)));
      if (!clash) assert.deepEqual(back.cpus, [...cpus].sort((a, b) => a - b));
    }),
  );
});
