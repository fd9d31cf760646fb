import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { argPosition, shareCode } from '../../../src/inject/arch/shared-code.js';

type Batch = { nr: number; args: bigint[] }[];
const MASK64 = (1n << 64n) - 1n;

const model: Batch = [
  { nr: 239, args: [0x1000n, 0x1008n, 65n, 0n, 0n] },
  { nr: 238, args: [2n, 0x9000n, 65n] },
  { nr: 239, args: [0x1100n, 0x1108n, 65n, 0n, 0n] },
];
/** The model with `d` added to the get_mempolicy output pointers, as thread k of an exchange has them. */
const outputsAt = (d: bigint): Batch => model.map((c) => ({ nr: c.nr, args: c.args.map((a, i) => (c.nr === 239 && i < 2 ? a + d : a)) }));

test('an exchange over many threads: one code, each thread its own offset', () => {
  const batches = [0, 1, 2, 3, 999].map((k) => outputsAt(BigInt(k * 0x220)));
  const { varying, deltas } = shareCode(batches);
  assert.deepEqual([...varying].sort((a, b) => a - b), [argPosition(0, 0), argPosition(0, 1), argPosition(2, 0), argPosition(2, 1)]);
  assert.deepEqual(deltas, [0n, 0x220n, 0x440n, 0x660n, 999n * 0x220n]);
});

test('identical batches share with delta 0; nothing varies', () => {
  assert.deepEqual(shareCode([model, model, outputsAt(0n)]), { varying: new Set(), deltas: [0n, 0n, 0n] });
  assert.deepEqual(shareCode([]), { varying: new Set(), deltas: [] });
});

test('code of its own for another shape, two amounts in one batch, or a batch that differs at only some of the varying arguments', () => {
  const twoAmounts = model.map((c, i) => ({ nr: c.nr, args: c.args.map((a, j) => (i === 0 && j === 0 ? a + 8n : i === 2 && j === 0 ? a + 16n : a)) }));
  const fewer = model.map((c, i) => ({ nr: c.nr, args: c.args.map((a, j) => (i === 0 && j < 2 ? a + 0x40n : a)) }));
  const shorter = model.slice(0, 2);
  const otherCall = [{ nr: 186, args: [] }, model[1]!, model[2]!];
  const { deltas } = shareCode([model, outputsAt(0x40n), twoAmounts, fewer, shorter, otherCall, outputsAt(0x80n)]);
  assert.deepEqual(deltas, [0n, 0x40n, undefined, undefined, undefined, undefined, 0x80n]);
});

test('property: a batch that shares the code is the first batch with its delta added at exactly the varying arguments (mod 2^64)', () => {
  const arg = fc.bigInt({ min: -(1n << 63n), max: MASK64 });
  const call = fc.record({ nr: fc.integer({ min: 0, max: 3 }), args: fc.array(arg, { maxLength: 6 }) });
  const batch = fc.array(call, { minLength: 1, maxLength: 3 });
  // Batches derived from a first one (an amount added to some arguments) mixed with unrelated ones.
  const derived = (first: Batch) => fc.tuple(fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }), fc.array(fc.boolean(), { minLength: 18, maxLength: 18 }))
    .map(([d, pick]) => first.map((c, i) => ({ nr: c.nr, args: c.args.map((a, j) => (pick[i * 6 + j] ? a + d : a)) })));
  fc.assert(fc.property(batch.chain((first) => fc.tuple(fc.constant(first), fc.array(fc.oneof(derived(first), batch), { maxLength: 6 }))), ([first, rest]) => {
    const batches = [first, ...rest];
    const { varying, deltas } = shareCode(batches);
    deltas.forEach((d, k) => {
      if (d === undefined) return;
      const b = batches[k]!;
      assert.equal(b.length, first.length);
      b.forEach((c, i) => {
        assert.equal(c.nr, first[i]!.nr);
        assert.equal(c.args.length, first[i]!.args.length);
        c.args.forEach((a, j) => {
          const expect = varying.has(argPosition(i, j)) ? first[i]!.args[j]! + d : first[i]!.args[j]!;
          assert.equal(a & MASK64, expect & MASK64);
        });
      });
    });
    assert.equal(deltas[0], 0n);
  }));
});

test('property: threads k = 0..n with outputs at base + k * stride all share one code', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 50 }), fc.bigInt({ min: 1n, max: 1n << 20n }), (n, stride) => {
    const { deltas } = shareCode(Array.from({ length: n }, (_, k) => outputsAt(BigInt(k) * stride)));
    assert.deepEqual(deltas, Array.from({ length: n }, (_, k) => BigInt(k) * stride));
  }));
});
