/** x86_64: struct user_regs_struct (arch/x86/include/asm/user_64.h), 27 × 8 bytes. */
import type { Arch } from './types.js';
import { x86_64Stubs } from './x86_64-stub.js';

export const X86_64_REGS = {
  r15: 0, r14: 8, r13: 16, r12: 24, rbp: 32, rbx: 40, r11: 48, r10: 56, r9: 64, r8: 72,
  rax: 80, rcx: 88, rdx: 96, rsi: 104, rdi: 112, orig_rax: 120, rip: 128, cs: 136, eflags: 144,
  rsp: 152, ss: 160, fs_base: 168, gs_base: 176, ds: 184, es: 192, fs: 200, gs: 208,
} as const;

/** The syscall ABI's argument registers, in order. */
const ARG_REGS = [X86_64_REGS.rdi, X86_64_REGS.rsi, X86_64_REGS.rdx, X86_64_REGS.r10, X86_64_REGS.r8, X86_64_REGS.r9];
const EFLAGS_TF = 0x100n;

export const x86_64: Arch = {
  name: 'x86_64',
  syscallTable: 'x64',
  regsSize: 216,
  syscallInsn: Buffer.from([0x0f, 0x05]),
  insnAlign: 1,
  instructionPointer: (regs) => regs.readBigUInt64LE(X86_64_REGS.rip),
  stackPointer: (regs) => regs.readBigUInt64LE(X86_64_REGS.rsp),
  redZone: 128,
  withInstructionPointer(regs, ip) {
    const r = Buffer.from(regs);
    r.writeBigUInt64LE(ip, X86_64_REGS.rip);
    return r;
  },
  injectedRegs(saved, insnAddr, nr, args) {
    if (args.length > ARG_REGS.length) throw new RangeError(`a syscall takes at most 6 arguments, got ${args.length}`);
    const r = Buffer.from(saved);
    r.writeBigUInt64LE(insnAddr, X86_64_REGS.rip);
    r.writeBigUInt64LE(BigInt(nr), X86_64_REGS.rax);
    // orig_rax = -1: "not in a syscall". With the saved value of a thread stopped inside a
    // blocking syscall, the kernel's restart logic would rewind rip by 2 from our address.
    r.writeBigInt64LE(-1n, X86_64_REGS.orig_rax);
    ARG_REGS.forEach((off, i) => r.writeBigUInt64LE(BigInt.asUintN(64, args[i] ?? 0n), off));
    r.writeBigUInt64LE(r.readBigUInt64LE(X86_64_REGS.eflags) & ~EFLAGS_TF, X86_64_REGS.eflags);
    return r;
  },
  syscallResult: (regs) => regs.readBigInt64LE(X86_64_REGS.rax),
  inSyscall: (regs) => regs.readBigInt64LE(X86_64_REGS.orig_rax) >= 0n,
  syscallInsnBehind(regs) {
    // In a syscall (orig_rax >= 0) and stopped inside get_signal, before any restart rewinds
    // rip: the 2-byte instruction it came from ends at rip. Never the kernel half (vsyscall).
    if (regs.readBigInt64LE(X86_64_REGS.orig_rax) < 0n) return undefined;
    const rip = regs.readBigUInt64LE(X86_64_REGS.rip);
    return rip >= 2n && rip < 1n << 47n ? rip - 2n : undefined;
  },
  stubs: x86_64Stubs,
};
