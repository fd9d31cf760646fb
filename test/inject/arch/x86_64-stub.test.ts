import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { x86_64Stub, x86_64Stubs } from '../../../src/inject/arch/x86_64-stub.js';
import { argPosition } from '../../../src/inject/arch/shared-code.js';

const NOT_RUN = -(1n << 63n);
const calls = [
  { nr: 239, args: [0x1000n, 0x1008n, 65n, 0n, 0n] },
  { nr: 238, args: [2n, 0x2000n, 65n] },
  { nr: 239, args: [0x1100n, 0x1108n, 65n, 0n, 0n] },
];
/** The output pointers of the two get_mempolicy calls: what differs between threads. */
const OUTPUTS = new Set([argPosition(0, 0), argPosition(0, 1), argPosition(2, 0), argPosition(2, 1)]);
const ARG_REGS = ['rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9'];

interface Decoded {
  ops: string[];
  jumps: number[];
  /** Offsets into the slot area (rbx-relative) stored to, and read or pointed at. */
  stores: number[];
  slotRefs: number[];
  /** Offsets into the code that rip-relative instructions point at. */
  codeRefs: number[];
}

/** Walks the code the way the CPU would, returning the instructions in order and where their memory operands point. */
function decode(code: Buffer, end: number): Decoded {
  const d: Decoded = { ops: [], jumps: [], stores: [], slotRefs: [], codeRefs: [] };
  let at = 0;
  const is = (...b: number[]): boolean => b.every((x, i) => code[at + i] === x);
  while (at < end) {
    const b = code[at]!;
    if (b === 0xb8) { d.ops.push(`mov eax,${code.readUInt32LE(at + 1)}`); at += 5; continue; }
    if (b === 0xbf) { d.ops.push(`mov edi,${code.readUInt32LE(at + 1)}`); at += 5; continue; }
    if (is(0x41, 0xba)) { d.ops.push(`mov r10d,${code.readUInt32LE(at + 2)}`); at += 6; continue; }
    if ((b === 0x48 || b === 0x49) && code[at + 1]! >= 0xb8 && code[at + 1]! <= 0xbf) { d.ops.push('movabs'); at += 10; continue; }
    if ((b === 0x48 || b === 0x49) && code[at + 1] === 0x01 && (code[at + 2]! & 0xf8) === 0xe8) {
      const rm = (code[at + 2]! & 7) + (b === 0x49 ? 8 : 0);
      d.ops.push(`add ${['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10'][rm]},rbp`);
      at += 3;
      continue;
    }
    if (is(0x0f, 0x05)) { d.ops.push('syscall'); at += 2; continue; }
    if (is(0x48, 0x89, 0x83)) { d.stores.push(code.readInt32LE(at + 3)); d.ops.push('store'); at += 7; continue; }
    if (is(0x48, 0x8b, 0x83)) { d.slotRefs.push(code.readInt32LE(at + 3)); d.ops.push('load'); at += 7; continue; }
    if (is(0x48, 0x8d, 0x35)) { d.codeRefs.push(at + 7 + code.readInt32LE(at + 3)); d.ops.push('lea rsi,rip'); at += 7; continue; }
    if (is(0x48, 0x8d, 0xb3)) { d.slotRefs.push(code.readInt32LE(at + 3)); d.ops.push('lea rsi,rbx'); at += 7; continue; }
    if (is(0x48, 0x8d, 0x93)) { d.slotRefs.push(code.readInt32LE(at + 3)); d.ops.push('lea rdx,rbx'); at += 7; continue; }
    if (is(0x48, 0x83, 0xe0)) { d.ops.push(`and rax,${code.readInt8(at + 3)}`); at += 4; continue; }
    if (is(0x48, 0x85, 0xc0)) { d.ops.push('test rax'); at += 3; continue; }
    if (is(0x31, 0xd2)) { d.ops.push('xor edx'); at += 2; continue; }
    if (is(0x48, 0x3d)) { d.ops.push(`cmp rax,${code.readInt32LE(at + 2)}`); at += 6; continue; }
    if (is(0x0f, 0x83)) { d.jumps.push(at + 6 + code.readInt32LE(at + 2)); d.ops.push('jae'); at += 6; continue; }
    if (is(0x0f, 0x85)) { d.jumps.push(at + 6 + code.readInt32LE(at + 2)); d.ops.push('jnz'); at += 6; continue; }
    throw new Error(`unexpected byte 0x${b.toString(16)} at ${at}`);
  }
  return d;
}

const BLOCK = ['mov eax,14', 'mov edi,2', 'lea rsi,rip', 'lea rdx,rbx', 'mov r10d,8', 'syscall', 'store', 'test rax', 'jnz'];
const RESTORE = ['load', 'and rax,-17', 'store', 'mov eax,14', 'mov edi,2', 'lea rsi,rbx', 'xor edx', 'mov r10d,8', 'syscall'];
const CALL = ['mov eax', 'movabs', 'movabs', 'movabs', 'movabs', 'movabs', 'movabs', 'syscall', 'store'];
const shape = (ops: string[]): string[] => ops.map((o) => (o.startsWith('mov eax,') && o !== 'mov eax,14' ? 'mov eax' : o));

test('the code blocks signals (saving the mask in its slot area), runs each call storing rax in its own slot, puts the mask back with SIGTRAP unblocked, and ends in int3', () => {
  const { code, trapOffset, slots } = x86_64Stub(calls, false, NOT_RUN);
  const end = code.indexOf(0xcc);
  assert.equal(end, trapOffset);
  const { ops, jumps, stores, slotRefs, codeRefs } = decode(code, end);
  assert.deepEqual(shape(ops), [...BLOCK, ...CALL, ...CALL, ...CALL, ...RESTORE]);
  assert.deepEqual(ops.filter((o) => o.startsWith('mov eax')).map((o) => Number(o.split(',')[1])), [14, 239, 238, 239, 14]);
  // Slot area: a result per call, the block call's result, the mask it found, the mask to restore.
  assert.deepEqual(stores, [24, 0, 8, 16, 40]);
  // rt_sigprocmask(SIG_SETMASK, stepMask, old) then (SIG_SETMASK, restoreMask, NULL): the old mask is read back for it.
  assert.deepEqual(slotRefs, [32, 32, 40]);
  assert.equal(codeRefs.length, 1);
  assert.equal(code.readBigUInt64LE(codeRefs[0]!), ((1n << 64n) - 1n) & ~(1n << 4n), 'everything blocked but SIGTRAP, after the code');
  assert.ok(codeRefs[0]! >= end + 3 && codeRefs[0]! % 8 === 0);
  // If blocking fails, nothing runs: straight to the int3.
  assert.deepEqual(jumps, [trapOffset]);
  // int3, then a jump back to it (a resumed thread traps again).
  assert.deepEqual([...code.subarray(end, end + 3)], [0xcc, 0xeb, 0xfd]);
  assert.equal(end + 1 + 2 + (code.readInt8(end + 2)), end, 'the jump lands on the int3');
  assert.equal(slots.length, 48);
  for (let i = 0; i < 4; i++) assert.equal(slots.readBigInt64LE(8 * i), NOT_RUN, 'calls and the block: not run yet');
  assert.equal(slots.readBigUInt64LE(32), 0n);
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

test('varying arguments get rbp added after they are loaded, in each argument register', () => {
  const six = [{ nr: 1, args: [1n, 2n, 3n, 4n, 5n, 6n] }];
  const all = new Set([0, 1, 2, 3, 4, 5].map((a) => argPosition(0, a)));
  const { code, trapOffset } = x86_64Stub(six, false, NOT_RUN, all);
  const { ops } = decode(code, trapOffset);
  const at = ops.lastIndexOf('movabs') + 1;
  assert.deepEqual(ops.slice(at, at + 7), [...ARG_REGS.map((r) => `add ${r},rbp`), 'syscall']);
  const some = x86_64Stub(calls, true, NOT_RUN, OUTPUTS);
  assert.deepEqual(decode(some.code, some.trapOffset).ops.filter((o) => o.startsWith('add')), ['add rdi,rbp', 'add rsi,rbp', 'add rdi,rbp', 'add rsi,rbp']);
});

test('what objdump reads in the code is what the decoder above reads', (t) => {
  const probe = spawnSync('objdump', ['--version']);
  if (probe.status !== 0) {
    t.skip('objdump is not installed');
    return;
  }
  const six = [{ nr: 1, args: [1n, 2n, 3n, 4n, 5n, 6n] }, ...calls];
  const { code, trapOffset } = x86_64Stub(six, true, NOT_RUN, new Set([...[0, 1, 2, 3, 4, 5].map((a) => argPosition(0, a)), argPosition(1, 0)]));
  const file = join(mkdtempSync(join(tmpdir(), 'numapol-stub-')), 'stub.bin');
  writeFileSync(file, code.subarray(0, trapOffset + 3));
  const r = spawnSync('objdump', ['-D', '-b', 'binary', '-m', 'i386:x86-64', '-M', 'intel', file], { encoding: 'utf8' });
  const insns = r.stdout.split('\n').map((l) => /^\s*[0-9a-f]+:\s+(?:[0-9a-f]{2} )+\s*\t(.*)$/.exec(l)?.[1]).filter((x): x is string => x !== undefined).map((x) => x.replace(/\s+#.*/, '').replace(/\s+/g, ' '));
  assert.ok(insns.includes('add rdi,rbp') && insns.includes('add r10,rbp') && insns.includes('add r8,rbp') && insns.includes('add r9,rbp'));
  assert.ok(insns.includes('mov QWORD PTR [rbx+0x0],rax'), 'results stored through rbx');
  assert.ok(insns.includes('lea rdx,[rbx+0x28]') && insns.includes('mov rax,QWORD PTR [rbx+0x28]') && insns.includes('lea rsi,[rbx+0x30]'));
  assert.equal(insns.at(-2), 'int3');
  assert.ok(insns.at(-1)?.startsWith('jmp'));
  assert.equal(insns.filter((x) => x === 'syscall').length, 2 + six.length);
});

test('a block of batches: threads whose batches differ by one amount share the first code and get it as their delta; the others get code of their own', () => {
  const shifted = (d: bigint) => calls.map((c) => ({ nr: c.nr, args: c.args.map((a, i) => (c.nr === 239 && i < 2 ? a + d : a)) }));
  const uneven = calls.map((c, k) => ({ nr: c.nr, args: c.args.map((a, i) => (c.nr === 239 && i < 2 ? a + BigInt(16 * (k + 1)) : a)) }));
  const odd = [{ nr: 1, args: [] }];
  const batches = [calls, shifted(0x60n), odd, shifted(0xc0n), uneven, calls];
  for (const stop of [false, true]) {
    const block = x86_64Stubs(batches, stop, NOT_RUN);
    const shared = x86_64Stub(calls, stop, NOT_RUN, OUTPUTS);
    assert.deepEqual(block.code.subarray(0, shared.code.length), shared.code);
    assert.deepEqual(block.entries.map((e, k) => (e === 0 ? k : -1)).filter((k) => k >= 0), [0, 1, 3, 5]);
    assert.deepEqual(block.deltas, [0n, 0x60n, 0n, 0xc0n, 0n, 0n]);
    for (const k of [2, 4]) {
      const alone = x86_64Stub(batches[k]!, stop, NOT_RUN);
      const at = block.entries[k]!;
      assert.equal(at % 16, 0);
      assert.deepEqual(block.code.subarray(at, at + alone.code.length), alone.code, 'code of its own, built as for it alone');
      assert.equal(block.traps[k], at + alone.trapOffset);
    }
    // Slot areas after all code, one per batch, not overlapping, each as its code expects it.
    const codeEnd = Math.max(...block.entries.map((e, k) => e + (k === 2 || k === 4 ? x86_64Stub(batches[k]!, stop, NOT_RUN) : shared).code.length));
    let prev = codeEnd;
    batches.forEach((b, k) => {
      assert.ok(block.slots[k]! >= prev && block.slots[k]! % 8 === 0);
      const template = x86_64Stub(b, stop, NOT_RUN).slots;
      assert.deepEqual(block.code.subarray(block.slots[k]!, block.slots[k]! + template.length), template);
      prev = block.slots[k]! + template.length;
    });
    assert.equal(block.code.length, prev);
  }
  assert.deepEqual(x86_64Stubs([], false, NOT_RUN), { code: Buffer.alloc(0), entries: [], traps: [], slots: [], deltas: [] });
});
