import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NumapolError } from '../../src/errors.js';
import { mempolicy } from '../../src/policy/model.js';
import {
  MPOL_BIND,
  MPOL_F_NUMA_BALANCING,
  MPOL_F_RELATIVE_NODES,
  MPOL_F_STATIC_NODES,
  MPOL_LOCAL,
  MPOL_PREFERRED,
  MPOL_WEIGHTED_INTERLEAVE,
  fromKernelMode,
  modeNumber,
  toKernelMode,
} from '../../src/policy/codes.js';
import { validPolicy, withoutHome } from './arbitraries.js';

describe('kernel mode numbers', () => {
  it('match include/uapi/linux/mempolicy.h', () => {
    assert.deepEqual(
      ['default', 'preferred', 'bind', 'interleave', 'local', 'preferred_many', 'weighted_interleave'].map((m) =>
        modeNumber(m as Parameters<typeof modeNumber>[0]),
      ),
      [0, 1, 2, 3, 4, 5, 6],
    );
    assert.equal(MPOL_F_STATIC_NODES, 0x8000);
    assert.equal(MPOL_F_RELATIVE_NODES, 0x4000);
    assert.equal(MPOL_F_NUMA_BALANCING, 0x2000);
  });

  it('or the flag bits into the mode, as set_mempolicy takes it', () => {
    assert.deepEqual(toKernelMode(mempolicy('bind', [0, 1], { remap: 'static' })), { mode: 0x8002, nodes: [0, 1] });
    assert.equal(toKernelMode(mempolicy('bind', [0], { remap: 'relative', balancing: true })).mode, 0x6002);
    assert.equal(toKernelMode(mempolicy('weighted_interleave', [0])).mode, MPOL_WEIGHTED_INTERLEAVE);
  });

  it('read get_mempolicy answers back into the model', () => {
    assert.deepEqual(fromKernelMode(MPOL_BIND | MPOL_F_NUMA_BALANCING, [1, 0]), mempolicy('bind', [0, 1], { balancing: true }));
    assert.deepEqual(fromKernelMode(MPOL_PREFERRED, []), mempolicy('local'), 'pre-3.8 kernels report local this way');
    assert.deepEqual(fromKernelMode(MPOL_LOCAL, []), mempolicy('local'));
    assert.deepEqual(fromKernelMode(0, [0, 1]), mempolicy('default'));
  });

  it('refuse numbers numapol does not know', () => {
    for (const bad of [7, 0x8007, 1 << 12 | MPOL_BIND, MPOL_BIND | MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES, -1]) {
      assert.throws(() => fromKernelMode(bad, [0]), (e: unknown) => e instanceof NumapolError && e.code === 'EMODE');
    }
  });

  it('round-trip every valid policy', () => {
    fc.assert(
      fc.property(validPolicy, (p) => {
        const k = toKernelMode(p);
        assert.deepEqual(fromKernelMode(k.mode, k.nodes), withoutHome(p));
      }),
    );
  });
});
