import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRangeList } from '../../src/kernel/range-list.js';

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
