import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mempolicy } from '../../src/policy/model.js';
import { formatFlags, formatPolicy } from '../../src/policy/format.js';
import { parsePolicy } from '../../src/policy/parse.js';
import { policyProblem } from '../../src/policy/validate.js';
import { validPolicy, withoutHome } from './arbitraries.js';

describe('formatPolicy: kernel style (mpol_to_str)', () => {
  it('writes each mode as numa_maps shows it', () => {
    assert.equal(formatPolicy(mempolicy('default')), 'default');
    assert.equal(formatPolicy(mempolicy('local')), 'local');
    assert.equal(formatPolicy(mempolicy('preferred', [1])), 'prefer:1');
    assert.equal(formatPolicy(mempolicy('bind', [1, 0])), 'bind:0-1');
    assert.equal(formatPolicy(mempolicy('interleave', [0, 1, 2, 3, 5])), 'interleave:0-3,5');
    assert.equal(formatPolicy(mempolicy('preferred_many', [0, 2])), 'prefer (many):0,2');
    assert.equal(formatPolicy(mempolicy('weighted_interleave', [0, 1, 2, 3])), 'weighted interleave:0-3');
  });

  it('writes flags as =static, =relative, =balancing, =static|balancing', () => {
    assert.equal(formatPolicy(mempolicy('bind', [0, 1], { remap: 'static' })), 'bind=static:0-1');
    assert.equal(formatPolicy(mempolicy('interleave', [0, 1, 2, 3], { remap: 'relative' })), 'interleave=relative:0-3');
    assert.equal(formatPolicy(mempolicy('bind', [0, 1, 2, 3], { balancing: true })), 'bind=balancing:0-3');
    assert.equal(formatPolicy(mempolicy('bind', [0, 1], { remap: 'static', balancing: true })), 'bind=static|balancing:0-1');
    assert.equal(formatFlags(mempolicy('bind', [0], { balancing: true, remap: 'relative' })), 'relative|balancing');
    assert.equal(formatFlags(mempolicy('bind', [0], { balancing: false })), '');
  });

  it('has no text for a home node, as the kernel has none', () => {
    assert.equal(formatPolicy(mempolicy('bind', [0, 1], {}, 1)), 'bind:0-1');
  });
});

describe('formatPolicy: seed style', () => {
  it('writes the seeds examples', () => {
    assert.equal(formatPolicy(mempolicy('default'), { style: 'seed' }), 'default');
    assert.equal(formatPolicy(mempolicy('preferred', [1]), { style: 'seed' }), 'prefer=1');
    assert.equal(formatPolicy(mempolicy('bind', [0, 2, 3, 4, 5]), { style: 'seed' }), 'bind=0,2-5');
    assert.equal(formatPolicy(mempolicy('interleave', [2, 3]), { style: 'seed' }), 'interleave=2,3');
  });

  it('writes flags, newer modes and the home node so they read back', () => {
    assert.equal(formatPolicy(mempolicy('bind', [0, 1], { remap: 'static' }), { style: 'seed' }), 'bind=static:0,1');
    assert.equal(formatPolicy(mempolicy('preferred_many', [0, 1], {}, 1), { style: 'seed' }), 'preferred-many=0,1 home=1');
    assert.equal(formatPolicy(mempolicy('weighted_interleave', [0, 1, 2]), { style: 'seed' }), 'weighted-interleave=0-2');
  });
});

describe('round trip', () => {
  it('parse(format(p)) is p in the seed style, home node included', () => {
    fc.assert(
      fc.property(validPolicy, (p) => {
        assert.equal(policyProblem(p), undefined);
        assert.deepEqual(parsePolicy(formatPolicy(p, { style: 'seed' })), p);
      }),
      { numRuns: 2000 },
    );
  });

  it('parse(format(p)) is p in the kernel style, less the home node it cannot show', () => {
    fc.assert(
      fc.property(validPolicy, (p) => {
        const text = formatPolicy(p);
        assert.deepEqual(parsePolicy(text), withoutHome(p));
        assert.equal(formatPolicy(parsePolicy(text)), text);
      }),
      { numRuns: 2000 },
    );
  });
});
