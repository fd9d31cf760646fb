// Policies under a job's node map: the nodes go to their partners, mode and flags stay; relative
// nodemasks are positions in the allowed nodes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../../src/errors.js';
import { inverseMap, jobNodeMap, mapNodes } from '../../../src/ops/jobs/node-map.js';
import { absoluteToRelative, relativeToAbsolute, remapPolicy, samePolicyExactly, weightChanges } from '../../../src/ops/jobs/policy-map.js';
import { formatPolicy, mempolicy, parsePolicy, type MempolicyMode, type NodesRemap } from '../../../src/policy/index.js';

const m03to47 = jobNodeMap([0, 1, 2, 3], [4, 5, 6, 7]).map;
const all8 = [0, 1, 2, 3, 4, 5, 6, 7];
const remap = (text: string, m: ReadonlyMap<number, number>, memsBefore = all8, memsAfter?: number[]): string =>
  formatPolicy(remapPolicy(parsePolicy(text), m, { memsBefore, ...(memsAfter ? { memsAfter } : {}) }));

test('the issue\'s example: bind=0-1 moved from 0-3 to 4-7 is bind=4-5', () => {
  assert.equal(remap('bind:0-1', m03to47), 'bind:4-5');
  assert.equal(remap('bind=static:0-1', m03to47), 'bind=static:4-5');
  assert.equal(remap('interleave:0-3', m03to47), 'interleave:4-7');
  assert.equal(remap('prefer:2', m03to47), 'prefer:6');
  assert.equal(remap('prefer (many)=balancing:1,3', m03to47), 'prefer (many)=balancing:5,7');
  assert.equal(remap('weighted interleave:0,2', m03to47), 'weighted interleave:4,6');
  assert.equal(remap('local', m03to47), 'local');
  assert.equal(remap('default', m03to47), 'default');
  // Nodes outside the map stay.
  assert.equal(remap('bind:1,7', m03to47), 'bind:5,7');
});

test('relative nodes are positions in the allowed nodes', () => {
  // Allowed 0-7: position k is node k, so a move shifts the positions.
  assert.equal(remap('bind=relative:0-1', m03to47), 'bind=relative:4-5');
  // Allowed 2-5 (a cpuset): positions 0-1 are nodes 2-3; 2→6 and 3→7 lie outside it.
  assert.throws(() => remap('bind=relative:0-1', m03to47, [2, 3, 4, 5]), (e: unknown) => e instanceof UsageError && /outside the allowed nodes 2-5/.test(e.message));
  // A cgroup job: its allowed nodes move with it, so the positions stay as the user wrote them.
  const m = jobNodeMap([0, 1], [2, 3]).map;
  assert.equal(remap('interleave=relative:0-1', m, [0, 1], [2, 3]), 'interleave=relative:0-1');
  // Folded masks keep the user's bits when their meaning is unchanged.
  assert.equal(remap('bind=relative:0-7', m, [0, 1], [2, 3]), 'bind=relative:0-7');
  assert.deepEqual(relativeToAbsolute([0, 5], [3, 4, 6]), [3, 6]);
  assert.deepEqual(absoluteToRelative([3, 6], [3, 4, 6]), [0, 2]);
  assert.equal(absoluteToRelative([5], [3, 4, 6]), undefined);
});

test('a home node moves with the policy', () => {
  const p = remapPolicy(mempolicy('bind', [0, 1], {}, 1), m03to47);
  assert.deepEqual(p.nodes, [4, 5]);
  assert.equal(p.homeNode, 5);
});

test('weighted interleave: partners with other weights are named', () => {
  const p = parsePolicy('weighted interleave:0-1');
  assert.deepEqual(weightChanges(p, m03to47, { 0: 3, 1: 1, 4: 3, 5: 2 }), [{ from: 1, to: 5, fromWeight: 1, toWeight: 2 }]);
  assert.deepEqual(weightChanges(parsePolicy('interleave:0-1'), m03to47, { 0: 3 }), []);
});

const MODES: MempolicyMode[] = ['bind', 'interleave', 'preferred', 'preferred_many', 'weighted_interleave'];
const FLAGS: (NodesRemap | undefined)[] = [undefined, 'static', 'relative'];

test('property: mode and flags kept, each node on its partner, the inverse map gives the policy back', () => {
  const arb = fc
    .record({
      from: fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 8 }),
      to: fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { minLength: 8, maxLength: 12 }),
      mode: fc.constantFrom(...MODES),
      remap: fc.constantFrom(...FLAGS),
      pick: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
    })
    .filter((x) => x.to.length >= x.from.length);
  const mems = Array.from({ length: 16 }, (_, i) => i);
  fc.assert(
    fc.property(arb, ({ from, to, mode, remap: flag, pick }) => {
      const nm = jobNodeMap(from, to);
      // The policy's nodes are job nodes (a subset of FROM).
      let nodes = [...new Set(pick.map((i) => nm.from[i % nm.from.length]!))];
      if (mode === 'preferred') nodes = nodes.slice(0, 1);
      const p = mempolicy(mode, nodes, flag === undefined ? {} : { remap: flag });
      const q = remapPolicy(p, nm.map, { memsBefore: mems });
      assert.equal(q.mode, p.mode);
      assert.deepEqual(q.flags, p.flags);
      // With every node allowed, relative positions are the nodes themselves.
      assert.deepEqual(q.nodes, mapNodes(nm.map, p.nodes));
      const back = remapPolicy(q, inverseMap(nm.map), { memsBefore: mems });
      assert.ok(samePolicyExactly(back, p), `${formatPolicy(p)} → ${formatPolicy(q)} → ${formatPolicy(back)}`);
    }),
  );
});
