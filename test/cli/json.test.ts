import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toJson } from '../../src/cli/json.js';

test('toJson: bigint addresses become 0x hex strings, Maps objects, Sets arrays', () => {
  const text = toJson({ start: 0x7fdd93200000n, zero: 0n, m: new Map([['a', 1]]), s: new Set([3, 1]), n: 5, nested: [{ end: 0x1000n }] });
  assert.deepEqual(JSON.parse(text), { start: '0x7fdd93200000', zero: '0x0', m: { a: 1 }, s: [3, 1], n: 5, nested: [{ end: '0x1000' }] });
});

test('toJson: any bigint round-trips through its hex string (property)', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (b) => {
      const s = JSON.parse(toJson({ b })) as { b: string };
      assert.match(s.b, /^0x[0-9a-f]+$/);
      assert.equal(BigInt(s.b), b);
    }),
  );
});

test('toJson: indented, parseable output', () => {
  const text = toJson({ a: [1, 2] });
  assert.ok(text.includes('\n  "a"'));
  assert.deepEqual(JSON.parse(text), { a: [1, 2] });
});
