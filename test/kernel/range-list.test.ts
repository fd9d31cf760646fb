import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatRanges, parseRangeList, parseRanges } from '../../src/kernel/range-list.js';

test('parses the kernel list format', () => {
  assert.deepEqual(parseRangeList('0-3,8,10-11\n'), [0, 1, 2, 3, 8, 10, 11]);
  assert.deepEqual(parseRangeList('0\n'), [0]);
  assert.deepEqual(parseRangeList('\n'), []);
});

test('rejects text that is not a list', () => {
  assert.equal(parseRangeList('3-1'), undefined);
  assert.equal(parseRangeList('a'), undefined);
  assert.equal(parseRangeList('1,,2'), undefined);
  assert.equal(parseRangeList('-1'), undefined);
});

test('parses what a range printer writes', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.nat({ max: 300 }), { minLength: 1 }), (ids) => {
      const sorted = [...ids].sort((a, b) => a - b);
      const parts: string[] = [];
      for (let i = 0; i < sorted.length; ) {
        let j = i;
        while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
        parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
        i = j + 1;
      }
      assert.deepEqual(parseRangeList(parts.join(',')), sorted);
    }),
  );
});

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
  assert.equal(formatRanges([2, 3, 7, 8, 9], { pairs: 'list' }), '2,3,7-9');
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
