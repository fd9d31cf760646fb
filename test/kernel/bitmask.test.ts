import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bitsOf, decodeBitmask, encodeBitmask, wordsFor } from '../../src/kernel/bitmask.js';

test('encode/decode round-trips any set of members, sorted and deduplicated', () => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 4095 })), fc.nat({ max: 2048 }), (members, minBits) => {
      const mask = encodeBitmask(members, minBits);
      assert.deepEqual(decodeBitmask(mask), [...new Set(members)].sort((a, b) => a - b));
      assert.ok(bitsOf(mask) >= minBits);
      assert.ok(members.every((m) => m < bitsOf(mask)));
    }),
  );
});

test('bit i is bit i%64 of word i/64, as the kernel lays out unsigned longs', () => {
  const mask = encodeBitmask([0, 63, 64, 130], 64);
  assert.equal(mask.length, 3);
  assert.equal(mask[0], (1n << 63n) | 1n);
  assert.equal(mask[1], 1n);
  assert.equal(mask[2], 1n << 2n);
});

test('the mask is never empty of words, and grows to hold the largest member', () => {
  assert.equal(encodeBitmask([], 0).length, 1);
  assert.equal(wordsFor(0), 1);
  assert.equal(encodeBitmask([1000], 64).length, 16);
});

test('negative or fractional members are rejected', () => {
  assert.throws(() => encodeBitmask([-1], 64), RangeError);
  assert.throws(() => encodeBitmask([1.5], 64), RangeError);
});
