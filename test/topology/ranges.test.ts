import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatRanges, parseRanges } from '../../src/topology/ranges.js';

test('parseRanges reads kernel range lists', () => {
  assert.deepEqual(parseRanges('0-3,5\n'), [0, 1, 2, 3, 5]);
  assert.deepEqual(parseRanges('7'), [7]);
  assert.deepEqual(parseRanges('\n'), []);
  assert.deepEqual(parseRanges('8-11,0-1'), [0, 1, 8, 9, 10, 11]);
  assert.deepEqual(parseRanges('0-7:2/4'), [0, 1, 4, 5]);
});

test('parseRanges rejects malformed text', () => {
  assert.throws(() => parseRanges('0-x'), /not a number/);
  assert.throws(() => parseRanges('5-2'), /backwards/);
  assert.throws(() => parseRanges('1,,2'), /not a number/);
});

test('formatRanges makes runs', () => {
  assert.equal(formatRanges([5, 0, 1, 2, 3, 9, 10]), '0-3,5,9-10');
  assert.equal(formatRanges([]), '');
  assert.equal(formatRanges([4, 4]), '4');
});

test('formatRanges and parseRanges round-trip any set', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1023 }), { maxLength: 60 }), (xs) => {
      const sorted = [...xs].sort((a, b) => a - b);
      assert.deepEqual(parseRanges(formatRanges(xs)), sorted);
    }),
  );
});
