import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aarch64 } from '../../src/inject/arch/aarch64.js';
import { currentArch } from '../../src/inject/arch/index.js';
import { X86_64_REGS, x86_64 } from '../../src/inject/arch/x86_64.js';

describe('x86_64 registers', () => {
  it('builds injected registers in place from the saved set: rip, rax, args, orig_rax = -1, TF cleared', () => {
    const saved = Buffer.alloc(216, 0x5a);
    saved.writeBigUInt64LE(0x346n, X86_64_REGS.eflags); // TF set
    const r = Buffer.alloc(512, 0xee);
    x86_64.writeInjectedRegs(r, saved, 0x7fff0000n, 238, [2n, 0x1000n, 65n, -1n]);
    assert.equal(saved.readBigUInt64LE(X86_64_REGS.rip), 0x5a5a5a5a5a5a5a5an, 'saved set untouched');
    assert.equal(r.readBigUInt64LE(X86_64_REGS.rip), 0x7fff0000n);
    assert.equal(r.readBigUInt64LE(X86_64_REGS.rax), 238n);
    assert.equal(r.readBigInt64LE(X86_64_REGS.orig_rax), -1n);
    assert.equal(r.readBigUInt64LE(X86_64_REGS.rdi), 2n);
    assert.equal(r.readBigUInt64LE(X86_64_REGS.rsi), 0x1000n);
    assert.equal(r.readBigUInt64LE(X86_64_REGS.rdx), 65n);
    assert.equal(r.readBigUInt64LE(X86_64_REGS.r10), 0xffffffffffffffffn);
    assert.equal(r.readBigUInt64LE(X86_64_REGS.r8), 0n);
    assert.equal(r.readBigUInt64LE(X86_64_REGS.r9), 0n);
    assert.equal(r.readBigUInt64LE(X86_64_REGS.eflags), 0x246n);
    assert.equal(r.readBigUInt64LE(X86_64_REGS.rsp), saved.readBigUInt64LE(X86_64_REGS.rsp));
    assert.equal(r[216], 0xee, 'nothing written past the register set');
    r.writeBigInt64LE(-22n, X86_64_REGS.rax);
    assert.equal(x86_64.syscallResult(r), -22n);
  });

  it('builds registers for injected code: only rip, orig_rax and TF change', () => {
    const saved = Buffer.alloc(216, 0x5a);
    saved.writeBigUInt64LE(0x346n, X86_64_REGS.eflags);
    saved.writeBigInt64LE(202n, X86_64_REGS.orig_rax);
    const r = Buffer.alloc(216);
    x86_64.writeCodeRegs(r, saved, 0x7fff1000n);
    const expected = Buffer.from(saved);
    expected.writeBigUInt64LE(0x7fff1000n, X86_64_REGS.rip);
    expected.writeBigInt64LE(-1n, X86_64_REGS.orig_rax);
    expected.writeBigUInt64LE(0x246n, X86_64_REGS.eflags);
    assert.deepEqual(r, expected);
    assert.throws(() => x86_64.writeCodeRegs(Buffer.alloc(100), saved, 0n), RangeError);
  });

  it('finds the syscall instruction behind a thread stopped inside a syscall, and only then', () => {
    const regs = Buffer.alloc(216);
    regs.writeBigUInt64LE(0x7f0000001236n, X86_64_REGS.rip);
    regs.writeBigInt64LE(202n, X86_64_REGS.orig_rax); // futex
    assert.equal(x86_64.syscallInsnBehind?.(regs), 0x7f0000001234n);
    regs.writeBigInt64LE(-1n, X86_64_REGS.orig_rax); // stopped in user mode
    assert.equal(x86_64.syscallInsnBehind?.(regs), undefined);
    regs.writeBigInt64LE(96n, X86_64_REGS.orig_rax);
    regs.writeBigUInt64LE(0xffffffffff600007n, X86_64_REGS.rip); // vsyscall page: emulated, never used
    assert.equal(x86_64.syscallInsnBehind?.(regs), undefined);
    regs.writeBigUInt64LE(0x7ffd00001000n, X86_64_REGS.rsp);
    assert.equal(x86_64.stackPointer(regs), 0x7ffd00001000n);
    assert.equal(x86_64.redZone, 128);
  });

  it('builds park registers: the code entry, the slot area in rbx, DF/AC/TF cleared, the rest the thread\'s own', () => {
    const saved = Buffer.alloc(216, 0x5a);
    saved.writeBigUInt64LE(0x40746n, X86_64_REGS.eflags); // AC, DF, TF set
    const r = Buffer.alloc(216);
    x86_64.writeParkRegs(r, saved, 0x7f0000000040n, 0x7f0000001400n);
    assert.equal(r.readBigUInt64LE(X86_64_REGS.rip), 0x7f0000000040n);
    assert.equal(r.readBigUInt64LE(X86_64_REGS.rbx), 0x7f0000001400n);
    assert.equal(r.readBigInt64LE(X86_64_REGS.orig_rax), -1n);
    assert.equal(r.readBigUInt64LE(X86_64_REGS.eflags), 0x246n);
    assert.equal(r.readBigUInt64LE(X86_64_REGS.rsp), saved.readBigUInt64LE(X86_64_REGS.rsp), 'its own stack pointer');
    assert.equal(r.readBigUInt64LE(X86_64_REGS.r12), saved.readBigUInt64LE(X86_64_REGS.r12));
  });

  it('applies the kernel\'s restart rules for a thread resumed with no handler (arch_do_signal_or_restart)', () => {
    const at = (origRax: bigint, rax: bigint): Buffer => {
      const r = Buffer.alloc(216, 0x11);
      r.writeBigInt64LE(origRax, X86_64_REGS.orig_rax);
      r.writeBigInt64LE(rax, X86_64_REGS.rax);
      r.writeBigUInt64LE(0x7f0000001236n, X86_64_REGS.rip);
      return r;
    };
    const rip = (r: Buffer): bigint => r.readBigUInt64LE(X86_64_REGS.rip);
    const rax = (r: Buffer): bigint => r.readBigInt64LE(X86_64_REGS.rax);
    for (const restart of [-512n, -513n, -514n]) {
      const r = x86_64.resumeRegs(at(202n, restart)); // futex: run again with its own arguments
      assert.deepEqual([rip(r), rax(r), r.readBigInt64LE(X86_64_REGS.orig_rax)], [0x7f0000001234n, 202n, -1n]);
    }
    const sleep = at(230n, -516n); // clock_nanosleep: continue from the restart block
    assert.deepEqual([rip(x86_64.resumeRegs(sleep)), rax(x86_64.resumeRegs(sleep))], [0x7f0000001234n, 219n]);
    assert.deepEqual([rip(x86_64.resumeRegs(sleep, 'rerun')), rax(x86_64.resumeRegs(sleep, 'rerun'))], [0x7f0000001234n, 230n], 'or run again from its start');
    assert.equal(rax(x86_64.resumeRegs(at(0x40000000n | 230n, -516n))), 0x40000000n | 219n, 'an x32 task restarts with its own numbering');
    const done = x86_64.resumeRegs(at(0n, 5n)); // a read that returned 5: nothing to restart
    assert.deepEqual([rip(done), rax(done)], [0x7f0000001236n, 5n]);
    const eintr = x86_64.resumeRegs(at(7n, -4n));
    assert.deepEqual([rip(eintr), rax(eintr)], [0x7f0000001236n, -4n]);
    const user = x86_64.resumeRegs(at(-1n, -512n)); // not in a syscall: no rule applies
    assert.deepEqual([rip(user), rax(user)], [0x7f0000001236n, -512n]);
    const input = at(202n, -512n);
    x86_64.resumeRegs(input);
    assert.equal(rip(input), 0x7f0000001236n, 'a copy: the input is left as it was');
  });

  it('rejects more than six arguments', () => {
    assert.throws(() => x86_64.writeInjectedRegs(Buffer.alloc(216), Buffer.alloc(216), 0n, 1, [1n, 2n, 3n, 4n, 5n, 6n, 7n]), RangeError);
  });

  it('picks the layout by architecture; aarch64 is declared but not supported yet', () => {
    assert.equal(currentArch('x64'), x86_64);
    assert.equal(currentArch('arm64').name, 'aarch64');
    assert.equal(aarch64.regsSize, 272);
    assert.throws(() => aarch64.writeInjectedRegs(Buffer.alloc(272), Buffer.alloc(272), 0n, 1, []), { code: 'EARCH' });
    assert.throws(() => currentArch('ia32'), { code: 'EARCH' });
  });
});
