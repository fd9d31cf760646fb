import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { decodeNodemask, encodeNodemask, maxNodeBits, maxnodeArg } from '../../src/kernel/nodemask.js';
import { parseRangeList } from '../../src/kernel/range-list.js';

test('maxNodeBits covers every possible node in whole unsigned longs', () => {
  const possible = parseRangeList(readFileSync('/sys/devices/system/node/possible', 'utf8'));
  assert.ok(possible !== undefined && possible.length > 0);
  const bits = maxNodeBits();
  assert.equal(bits % 64, 0);
  assert.ok(bits > Math.max(...possible));
  assert.equal(maxNodeBits(), bits, 'cached value is stable');
});

test('nodemask round-trips node lists', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.nat({ max: 1023 })), (nodes) => {
      const mask = encodeNodemask(nodes);
      assert.deepEqual(decodeNodemask(mask), [...nodes].sort((a, b) => a - b));
    }),
  );
});

test('maxnode is the number of bits plus one (the kernel decrements it)', () => {
  const mask = encodeNodemask([0], 128);
  assert.equal(mask.length, 2);
  assert.equal(maxnodeArg(mask), 129);
});
