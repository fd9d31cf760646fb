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
