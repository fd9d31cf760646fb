import assert from 'node:assert/strict';
import { test } from 'node:test';
import { x86_64Stub, x86_64Stubs } from '../../../src/inject/arch/x86_64-stub.js';

const NOT_RUN = -(1n << 63n);
const calls = [
  { nr: 239, args: [0x1000n, 0x1008n, 65n, 0n, 0n] },
  { nr: 238, args: [2n, 0x2000n, 65n] },
  { nr: 239, args: [0x1100n, 0x1108n, 65n, 0n, 0n] },
];

/** Walks the code the way the CPU would, returning the instructions in order and where the rip-relative ones point. */
function decode(code: Buffer, end: number): { ops: string[]; jumps: number[]; stores: number[]; refs: number[] } {
  const ops: string[] = [];
  const jumps: number[] = [];
  const stores: number[] = [];
  const refs: number[] = [];
  let at = 0;
  const is = (...b: number[]): boolean => b.every((x, i) => code[at + i] === x);
  while (at < end) {
    const b = code[at]!;
    if (b === 0xb8) { ops.push(`mov eax,${code.readUInt32LE(at + 1)}`); at += 5; continue; }
    if (b === 0xbf) { ops.push(`mov edi,${code.readUInt32LE(at + 1)}`); at += 5; continue; }
    if (is(0x41, 0xba)) { ops.push(`mov r10d,${code.readUInt32LE(at + 2)}`); at += 6; continue; }
    if ((b === 0x48 || b === 0x49) && code[at + 1]! >= 0xb8 && code[at + 1]! <= 0xbf) { ops.push('movabs'); at += 10; continue; }
    if (is(0x0f, 0x05)) { ops.push('syscall'); at += 2; continue; }
    if (is(0x48, 0x89, 0x05)) { stores.push(at + 7 + code.readInt32LE(at + 3)); ops.push('store'); at += 7; continue; }
    if (is(0x48, 0x8b, 0x05)) { refs.push(at + 7 + code.readInt32LE(at + 3)); ops.push('load'); at += 7; continue; }
    if (is(0x48, 0x8d, 0x35)) { refs.push(at + 7 + code.readInt32LE(at + 3)); ops.push('lea rsi'); at += 7; continue; }
    if (is(0x48, 0x8d, 0x15)) { refs.push(at + 7 + code.readInt32LE(at + 3)); ops.push('lea rdx'); at += 7; continue; }
    if (is(0x48, 0x83, 0xe0)) { ops.push(`and rax,${code.readInt8(at + 3)}`); at += 4; continue; }
    if (is(0x48, 0x85, 0xc0)) { ops.push('test rax'); at += 3; continue; }
    if (is(0x31, 0xd2)) { ops.push('xor edx'); at += 2; continue; }
    if (is(0x48, 0x3d)) { ops.push(`cmp rax,${code.readInt32LE(at + 2)}`); at += 6; continue; }
    if (is(0x0f, 0x83)) { jumps.push(at + 6 + code.readInt32LE(at + 2)); ops.push('jae'); at += 6; continue; }
    if (is(0x0f, 0x85)) { jumps.push(at + 6 + code.readInt32LE(at + 2)); ops.push('jnz'); at += 6; continue; }
    throw new Error(`unexpected byte 0x${b.toString(16)} at ${at}`);
  }
  return { ops, jumps, stores, refs };
}

const BLOCK = ['mov eax,14', 'mov edi,2', 'lea rsi', 'lea rdx', 'mov r10d,8', 'syscall', 'store', 'test rax', 'jnz'];
const RESTORE = ['load', 'and rax,-17', 'store', 'mov eax,14', 'mov edi,2', 'lea rsi', 'xor edx', 'mov r10d,8', 'syscall'];
const CALL = ['mov eax', 'movabs', 'movabs', 'movabs', 'movabs', 'movabs', 'movabs', 'syscall', 'store'];

test('the code blocks signals (saving the mask), runs each call storing rax in its own slot, puts the mask back with SIGTRAP unblocked, and ends in int3', () => {
  const { code, resultsOffset, trapOffset, maskOffset } = x86_64Stub(calls, false, NOT_RUN);
  const end = code.indexOf(0xcc);
  assert.equal(end, trapOffset);
  const { ops, jumps, stores, refs } = decode(code, end);
  const shape = ops.map((o) => (o.startsWith('mov eax,') && o !== 'mov eax,14' ? 'mov eax' : o));
  assert.deepEqual(shape, [...BLOCK, ...CALL, ...CALL, ...CALL, ...RESTORE]);
  assert.deepEqual(ops.filter((o) => o.startsWith('mov eax')).map((o) => Number(o.split(',')[1])), [14, 239, 238, 239, 14]);
  // The block's result, then each call's, then the mask to restore (old without SIGTRAP).
  assert.equal(maskOffset, resultsOffset + 24);
  assert.deepEqual(stores, [maskOffset, resultsOffset, resultsOffset + 8, resultsOffset + 16, maskOffset + 16]);
  // rt_sigprocmask(SIG_SETMASK, stepMask, old) then (SIG_SETMASK, restoreMask, NULL): the old mask is read back for it.
  assert.deepEqual(refs, [maskOffset + 24, maskOffset + 8, maskOffset + 8, maskOffset + 16]);
  assert.equal(code.readBigUInt64LE(maskOffset + 24), ((1n << 64n) - 1n) & ~(1n << 4n), 'everything blocked but SIGTRAP');
  // If blocking fails, nothing runs: straight to the int3.
  assert.deepEqual(jumps, [trapOffset]);
  // int3, then a jump back to it (a resumed thread traps again), then the slots.
  assert.deepEqual([...code.subarray(end, end + 3)], [0xcc, 0xeb, 0xfd]);
  assert.equal(end + 1 + 2 + (code.readInt8(end + 2)), end, 'the jump lands on the int3');
  assert.ok(resultsOffset >= end + 3);
  assert.equal(resultsOffset % 8, 0);
  for (let i = 0; i < 4; i++) assert.equal(code.readBigInt64LE(resultsOffset + 8 * i), NOT_RUN, 'calls and the block: not run yet');
});

test('stopAtErrno: after every call but the last, an errno (rax >= -4095 unsigned) jumps to where the mask is put back', () => {
  const { code, trapOffset } = x86_64Stub(calls, true, NOT_RUN);
  const end = code.indexOf(0xcc);
  const { ops, jumps } = decode(code, end);
  assert.equal(ops.filter((o) => o === 'cmp rax,-4095').length, 2);
  const restore = trapOffset - 45;
  assert.equal(ops[ops.length - RESTORE.length], 'load');
  assert.deepEqual(jumps, [trapOffset, restore, restore]);
});

test('argument immediates are the 64-bit values given, negative ones two\'s complement', () => {
  const { code } = x86_64Stub([{ nr: 9, args: [0n, 4096n, 3n, 0x22n, -1n, 0n] }], false, NOT_RUN);
  // After the 48 bytes that block signals: mov eax (5 bytes), then movabs rdi (2 + 8), rsi, rdx, r10, r8, r9.
  const imm = (k: number): bigint => code.readBigInt64LE(48 + 5 + 10 * k + 2);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(imm), [0n, 4096n, 3n, 0x22n, -1n, 0n]);
  assert.deepEqual([...code.subarray(48 + 5 + 30, 48 + 5 + 32)], [0x49, 0xba], 'the fourth argument goes in r10, not rcx');
});

test('a block of batches: each starts 16-byte aligned and is byte for byte the stub built alone, whether copied from the first batch or not', () => {
  const other = calls.map((c) => ({ nr: c.nr, args: c.args.map((a) => (a >= 0x1000n ? a + 0x5000n : a)) }));
  const odd = [{ nr: 1, args: [] }];
  const batches = [calls, other, odd, other, calls];
  for (const stop of [false, true]) {
    const block = x86_64Stubs(batches, stop, NOT_RUN);
    assert.equal(block.entries.length, batches.length);
    let end = 0;
    batches.forEach((b, k) => {
      const alone = x86_64Stub(b, stop, NOT_RUN);
      const at = block.entries[k]!;
      assert.equal(at % 16, 0);
      assert.ok(at >= end, 'batches do not overlap');
      assert.deepEqual(block.code.subarray(at, at + alone.code.length), alone.code);
      assert.equal(block.results[k], at + alone.resultsOffset);
      assert.equal(block.traps[k], at + alone.trapOffset);
      assert.equal(block.masks[k], at + alone.maskOffset);
      end = at + alone.code.length;
    });
    assert.equal(block.code.length, Math.ceil(end / 16) * 16);
  }
  assert.deepEqual(x86_64Stubs([], false, NOT_RUN), { code: Buffer.alloc(0), entries: [], results: [], traps: [], masks: [] });
});
