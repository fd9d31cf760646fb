import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sigframe, sigframeSize } from '../../../src/inject/arch/x86_64-frame.js';
import { X86_64_REGS } from '../../../src/inject/arch/x86_64-regs.js';

/** A register set whose every word says which register it is. */
function regs(): Buffer {
  const r = Buffer.alloc(216);
  for (const [name, at] of Object.entries(X86_64_REGS)) r.writeBigUInt64LE(BigInt(at) + 0x1000n + (name === 'cs' ? 0x33n - 0x1088n - 136n + 0x88n : 0n), at);
  r.writeBigUInt64LE(0x33n, X86_64_REGS.cs);
  r.writeBigUInt64LE(0x2bn, X86_64_REGS.ss);
  return r;
}

test('an rt_sigframe as rt_sigreturn reads it: return address, ucontext, sigcontext registers, mask, XSAVE image and its magic words', () => {
  const xstate = Buffer.alloc(2432, 0x77);
  xstate.writeBigUInt64LE(0xa3n, 512); // XSTATE_BV
  const at = 0x7ffd00010000n;
  const f = sigframe(at, regs(), 0x1234n, xstate, 0x7f0000abcdefn);
  assert.equal(f.length, sigframeSize(2432));
  assert.equal(f.readBigUInt64LE(0), 0x7f0000abcdefn, 'pretcode: the trampoline');
  assert.equal(f.readBigUInt64LE(8), 7n, 'uc_flags: FP_XSTATE, SIGCONTEXT_SS, STRICT_RESTORE_SS');
  assert.equal(f.readUInt32LE(8 + 24), 0x7f000000, 'uc_stack.ss_flags: a mode no kernel accepts');
  const sc = 8 + 40;
  const order = ['r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rdi', 'rsi', 'rbp', 'rbx', 'rdx', 'rax', 'rcx', 'rsp', 'rip', 'eflags'] as const;
  order.forEach((name, i) => assert.equal(f.readBigUInt64LE(sc + 8 * i), BigInt(X86_64_REGS[name]) + 0x1000n, name));
  assert.equal(f.readUInt16LE(sc + 144), 0x33, 'cs');
  assert.equal(f.readUInt16LE(sc + 150), 0x2b, 'ss');
  assert.equal(f.readBigUInt64LE(8 + 296), 0x1234n, 'uc_sigmask');
  const fp = f.readBigUInt64LE(sc + 184);
  assert.equal(fp % 64n, 0n, 'the XSAVE image is 64-byte aligned');
  const off = Number(fp - at);
  assert.ok(off >= 440, 'after the frame head');
  assert.equal(f.readUInt32LE(off + 464), 0x46505853, 'FP_XSTATE_MAGIC1');
  assert.equal(f.readUInt32LE(off + 468), 2432 + 4, 'extended size');
  assert.equal(f.readBigUInt64LE(off + 472), 0xa3n, 'xfeatures: those of the image');
  assert.equal(f.readUInt32LE(off + 480), 2432);
  assert.equal(f.readUInt32LE(off + 2432), 0x46505845, 'FP_XSTATE_MAGIC2 after the image');
  assert.equal(f[off + 100], 0x77, 'the image itself');
  assert.throws(() => sigframe(at + 8n, regs(), 0n, xstate, 0n), RangeError);
});
