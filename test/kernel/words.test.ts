import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readI32, readI64, readU32, readU64, writeU32, writeU64 } from '../../src/kernel/words.js';

describe('words: little-endian integers through DataView', () => {
  it('reads and writes what Buffer reads and writes, signed and unsigned', () => {
    const b = Buffer.alloc(32);
    writeU64(b, 8, 0x0123456789abcdefn);
    assert.equal(b.readBigUInt64LE(8), 0x0123456789abcdefn);
    writeU64(b, 16, -22n);
    assert.equal(b.readBigInt64LE(16), -22n);
    assert.equal(readI64(b, 16), -22n);
    assert.equal(readU64(b, 16), (1n << 64n) - 22n);
    writeU32(b, 0, 0xfffffffe);
    assert.equal(readU32(b, 0), 0xfffffffe);
    assert.equal(readI32(b, 0), -2);
    b.writeInt32LE(-7, 4);
    assert.equal(readI32(b, 4), -7);
  });

  it('wraps values modulo the word size, as the kernel would see them', () => {
    const b = Buffer.alloc(8);
    writeU64(b, 0, (1n << 64n) + 5n);
    assert.equal(readU64(b, 0), 5n);
    writeU32(b, 0, -1);
    assert.equal(readU32(b, 0), 0xffffffff);
  });

  it('addresses a view of a pooled buffer from its own start, and never past its end', () => {
    // Small Buffers share one pooled ArrayBuffer: offsets are the view's, not the pool's.
    const a = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const b = Buffer.from([9, 9, 9, 9, 9, 9, 9, 9, 0xaa, 0xbb, 0xcc, 0xdd]);
    assert.equal(a.buffer, b.buffer, 'both from the pool (test premise)');
    assert.equal(readU32(b, 8), 0xddccbbaa);
    assert.equal(readU64(a, 0), a.readBigUInt64LE(0));
    assert.throws(() => readU64(a, 1), RangeError);
    assert.throws(() => readU32(b, 9), RangeError);
    assert.throws(() => writeU64(a.subarray(0, 7), 0, 1n), RangeError);
    assert.throws(() => readI32(a, -1), RangeError);
    assert.deepEqual([...a], [1, 2, 3, 4, 5, 6, 7, 8], 'a failed write changes nothing');
  });

  it('gives each of many buffers its own value when their use interleaves', () => {
    const bufs = [0, 1, 2, 3, 4].map((i) => {
      const b = Buffer.from(new ArrayBuffer(16));
      writeU64(b, 8, BigInt(i) * 1000n + 7n);
      return b;
    });
    for (let round = 0; round < 3; round++) {
      for (const i of [0, 1, 0, 2, 3, 1, 4, 4, 0]) assert.equal(readU64(bufs[i]!, 8), BigInt(i) * 1000n + 7n);
    }
  });
});
