import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PARK_MAGIC_BYTES, PARK_MAGIC_PREFIX, SLOT, slotSize, TAIL_FRAME_BELOW_SP, X86_64_PARK } from '../../../src/inject/arch/x86_64-park.js';
import { X86_64_REGS } from '../../../src/inject/arch/x86_64-regs.js';

const code = X86_64_PARK.code;

test('the park code fits a page, starts with its magic (with a hash of the rest) and the all-blocking mask, and its code starts at 64', () => {
  assert.ok(code.length <= 4096);
  assert.deepEqual(code.subarray(0, 8), PARK_MAGIC_PREFIX);
  let h = 0xcbf29ce484222325n;
  for (const x of code.subarray(PARK_MAGIC_BYTES)) h = BigInt.asUintN(64, (h ^ BigInt(x)) * 0x100000001b3n);
  assert.equal(code.readBigUInt64LE(8), h, 'FNV-1a of the rest');
  assert.equal(code.readBigUInt64LE(X86_64_PARK.allMask), (1n << 64n) - 1n);
  assert.equal(X86_64_PARK.entry, 64);
});

test('a parked thread stands right after a syscall (the rt_sigprocmask that lets its park signal through), at trap1 or trap2', () => {
  for (const at of [X86_64_PARK.trap1, X86_64_PARK.trap2]) {
    assert.deepEqual([...code.subarray(at - 2, at)], [0x0f, 0x05], `syscall before ${at}`);
    assert.equal(code[at], 0xe9, 'then a jump to the tail');
    assert.equal(code.readInt32LE(at + 1) + at + 5, X86_64_PARK.tail);
  }
});

test('the tail ends with popfq, the load of rbx from its slot, and ret 128 (no iretq anywhere)', () => {
  const ret = X86_64_PARK.ret;
  assert.deepEqual([...code.subarray(ret, ret + 3)], [0xc2, 0x80, 0x00], 'ret 128');
  assert.deepEqual([...code.subarray(ret - 7, ret - 4)], [0x48, 0x8b, 0x9b], 'mov rbx, [rbx + disp32]');
  assert.equal(code.readInt32LE(ret - 4), SLOT.regs + X86_64_REGS.rbx);
  assert.equal(code[ret - 8], 0x9d, 'popfq');
  for (let i = X86_64_PARK.entry; i + 1 < code.length; i++) assert.ok(!(code[i] === 0x48 && code[i + 1] === 0xcf), 'no iretq');
  // The frame: rflags then rip, 16 bytes right below the red zone; ret 128 lands on the thread's rsp.
  assert.equal(TAIL_FRAME_BELOW_SP, 128 + 16);
});

test('a slot area is its fixed words, the resume registers (r15 through ss), then a result per call', () => {
  assert.equal(SLOT.results - SLOT.regs, X86_64_REGS.ss + 8);
  assert.equal(slotSize(0), SLOT.results);
  assert.equal(slotSize(3), SLOT.results + 24);
  for (const w of [SLOT.table, SLOT.ncalls, SLOT.delta, SLOT.flags, SLOT.candidates, SLOT.block, SLOT.old, SLOT.parkMask, SLOT.signal, SLOT.regs, SLOT.results]) assert.equal(w % 8, 0);
});
