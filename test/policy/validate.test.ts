import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NumapolError } from '../../src/errors.js';
import { mempolicy, type Mempolicy } from '../../src/policy/model.js';
import { checkNodes, checkPolicy, policyProblem, shapeProblem } from '../../src/policy/validate.js';

function enode(fn: () => unknown): NumapolError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof NumapolError && e.code === 'ENODE', String(e));
    assert.equal(e.usage, true);
    return e;
  }
  assert.fail('expected ENODE');
}

describe('checkNodes', () => {
  it('says which node does not exist and which nodes the machine has', () => {
    assert.equal(enode(() => checkNodes([1, 7], [0, 1, 2, 3])).message, 'node 7 does not exist: this machine has nodes 0-3');
    assert.equal(enode(() => checkNodes([4, 5, 9], [0, 1, 2, 3])).message, 'nodes 4-5,9 do not exist: this machine has nodes 0-3');
    assert.equal(enode(() => checkNodes([1], [0])).message, 'node 1 does not exist: this machine has node 0');
    assert.equal(enode(() => checkNodes([1], [0, 2, 4, 6])).message, 'node 1 does not exist: this machine has nodes 0,2,4,6');
    assert.deepEqual(enode(() => checkNodes([7], [0, 1])).details, { missing: [7], nodes: [0, 1] });
  });

  it('passes nodes that exist', () => {
    checkNodes([0, 3], [0, 1, 2, 3]);
    checkNodes([], [0]);
  });

  it('checks a policy: its nodes and home node, not the indices of a relative policy', () => {
    assert.match(enode(() => checkNodes(mempolicy('bind', [0, 5]), [0, 1])).message, /^node 5 does not exist/);
    assert.match(enode(() => checkNodes(mempolicy('bind', [0], {}, 3), [0, 1])).message, /^node 3 does not exist/);
    checkNodes(mempolicy('interleave', [5, 9], { remap: 'relative' }), [0, 1]);
  });
});

describe('policyProblem / checkPolicy', () => {
  const broken: [Mempolicy, string, RegExp][] = [
    [mempolicy('preferred', []), 'nodes', /preferred takes exactly one node, not 0/],
    [mempolicy('preferred', [0, 1]), 'nodes', /preferred takes exactly one node, not 2 \(0-1\)/],
    [mempolicy('default', [1]), 'nodes', /default takes no nodes/],
    [mempolicy('local', [0, 1]), 'nodes', /local takes no nodes, got 2 \(0-1\)/],
    [mempolicy('bind', []), 'nodes', /bind needs at least one node/],
    [mempolicy('weighted_interleave', []), 'nodes', /weighted_interleave needs at least one node/],
    [mempolicy('local', [], { remap: 'static' }), 'flags', /local takes no flags/],
    [mempolicy('interleave', [0], { balancing: true }), 'flags', /balancing works only with bind and preferred_many, not interleave/],
    [mempolicy('preferred', [0], { balancing: true }), 'flags', /not preferred/],
    [mempolicy('interleave', [0], {}, 0), 'home', /a home node works only with bind and preferred_many/],
    [mempolicy('bind', [-1]), 'nodes', /-1 is not a node number/],
  ];
  for (const [p, part, rule] of broken) {
    it(`${JSON.stringify(p)} breaks ${rule.source}`, () => {
      const problem = policyProblem(p);
      assert.equal(problem?.part, part);
      assert.match(problem?.rule ?? '', rule);
      assert.throws(
        () => checkPolicy(p),
        (e: unknown) => e instanceof NumapolError && e.code === 'EPOLICY' && e.usage && rule.test(e.message),
      );
    });
  }

  it('shape rules are what parsing enforces; flag and home rules are the kernel\'s', () => {
    assert.equal(shapeProblem(mempolicy('interleave', [0], { balancing: true })), undefined);
    assert.equal(shapeProblem(mempolicy('preferred', [0, 1]))?.part, 'nodes');
  });

  it('accepts what the kernel accepts', () => {
    const good = [
      mempolicy('default'),
      mempolicy('local'),
      mempolicy('preferred', [3], { remap: 'static' }),
      mempolicy('bind', [0, 1], { remap: 'relative', balancing: true }, 1),
      mempolicy('preferred_many', [0, 2], { balancing: true }, 2),
      mempolicy('weighted_interleave', [0, 1, 2, 3]),
    ];
    for (const p of good) assert.equal(checkPolicy(p), p);
  });
});
