import assert from 'node:assert/strict';
import { test } from 'node:test';
import { x86_64Stub } from '../../../src/inject/arch/x86_64-stub.js';

const NOT_RUN = -(1n << 63n);
const calls = [
  { nr: 239, args: [0x1000n, 0x1008n, 65n, 0n, 0n] },
  { nr: 238, args: [2n, 0x2000n, 65n] },
  { nr: 239, args: [0x1100n, 0x1108n, 65n, 0n, 0n] },
];

/** Walks the code the way the CPU would, returning the instructions' kinds in order. */
function decode(code: Buffer, end: number): { ops: string[]; jumps: number[]; stores: number[] } {
  const ops: string[] = [];
  const jumps: number[] = [];
  const stores: number[] = [];
  let at = 0;
  while (at < end) {
    const b = code[at]!;
    if (b === 0xb8) { ops.push(`mov eax,${code.readUInt32LE(at + 1)}`); at += 5; continue; }
    if ((b === 0x48 || b === 0x49) && code[at + 1]! >= 0xb8 && code[at + 1]! <= 0xbf) { ops.push('movabs'); at += 10; continue; }
    if (b === 0x0f && code[at + 1] === 0x05) { ops.push('syscall'); at += 2; continue; }
    if (b === 0x48 && code[at + 1] === 0x89 && code[at + 2] === 0x05) { stores.push(at + 7 + code.readInt32LE(at + 3)); ops.push('store'); at += 7; continue; }
    if (b === 0x48 && code[at + 1] === 0x3d) { ops.push(`cmp rax,${code.readInt32LE(at + 2)}`); at += 6; continue; }
    if (b === 0x0f && code[at + 1] === 0x83) { jumps.push(at + 6 + code.readInt32LE(at + 2)); ops.push('jae'); at += 6; continue; }
    throw new Error(`unexpected byte 0x${b.toString(16)} at ${at}`);
  }
  return { ops, jumps, stores };
}

test('each call loads its number and six argument registers, runs syscall, stores rax in its own slot; the block ends in int3', () => {
  const { code, resultsOffset } = x86_64Stub(calls, false, NOT_RUN);
  const end = code.indexOf(0xcc);
  const { ops, jumps, stores } = decode(code, end);
  const perCall = ['mov eax', 'movabs', 'movabs', 'movabs', 'movabs', 'movabs', 'movabs', 'syscall', 'store'];
  assert.deepEqual(ops.map((o) => o.split(',')[0]), [...perCall, ...perCall, ...perCall]);
  assert.deepEqual(ops.filter((o) => o.startsWith('mov eax')).map((o) => Number(o.split(',')[1])), [239, 238, 239]);
  assert.deepEqual(jumps, []);
  assert.deepEqual(stores, [resultsOffset, resultsOffset + 8, resultsOffset + 16]);
  // int3, then a jump back to it (a resumed thread traps again), then the slots.
  assert.deepEqual([...code.subarray(end, end + 3)], [0xcc, 0xeb, 0xfd]);
  assert.equal(end + 1 + 2 + (code.readInt8(end + 2)), end, 'the jump lands on the int3');
  assert.ok(resultsOffset >= end + 3);
  assert.equal(resultsOffset % 8, 0);
  for (let i = 0; i < 3; i++) assert.equal(code.readBigInt64LE(resultsOffset + 8 * i), NOT_RUN);
});

test('stopAtErrno: after every call but the last, an errno (rax >= -4095 unsigned) jumps to the int3', () => {
  const { code } = x86_64Stub(calls, true, NOT_RUN);
  const end = code.indexOf(0xcc);
  const { ops, jumps } = decode(code, end);
  assert.equal(ops.filter((o) => o === 'cmp rax,-4095').length, 2);
  assert.deepEqual(jumps, [end, end]);
});

test('argument immediates are the 64-bit values given, negative ones two\'s complement', () => {
  const { code } = x86_64Stub([{ nr: 9, args: [0n, 4096n, 3n, 0x22n, -1n, 0n] }], false, NOT_RUN);
  // mov eax (5 bytes), then movabs rdi (2 + 8), rsi, rdx, r10, r8, r9.
  const imm = (k: number): bigint => code.readBigInt64LE(5 + 10 * k + 2);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(imm), [0n, 4096n, 3n, 0x22n, -1n, 0n]);
  assert.deepEqual([...code.subarray(5 + 30, 5 + 32)], [0x49, 0xba], 'the fourth argument goes in r10, not rcx');
});

test('a stub made by rewriting the previous one (same calls, other pointers) is byte for byte a fresh one', () => {
  const other = calls.map((c) => ({ nr: c.nr, args: c.args.map((a) => (a >= 0x1000n ? a + 0x5000n : a)) }));
  for (const stop of [false, true]) {
    x86_64Stub(calls, stop, NOT_RUN);
    const patched = x86_64Stub(other, stop, NOT_RUN);
    x86_64Stub([{ nr: 1, args: [] }], stop, NOT_RUN); // a different shape: the next one is built from scratch
    const fresh = x86_64Stub(other, stop, NOT_RUN);
    assert.deepEqual(patched.code, fresh.code);
    assert.equal(patched.resultsOffset, fresh.resultsOffset);
  }
});
