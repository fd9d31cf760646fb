/** x86_64: struct user_regs_struct (arch/x86/include/asm/user_64.h), 27 × 8 bytes. */
import { readI64, readU64, writeU64 } from '../../kernel/words.js';
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
  instructionPointer: (regs) => readU64(regs, X86_64_REGS.rip),
  stackPointer: (regs) => readU64(regs, X86_64_REGS.rsp),
  redZone: 128,
  withInstructionPointer(regs, ip) {
    const r = Buffer.from(regs);
    writeU64(r, X86_64_REGS.rip, ip);
    return r;
  },
  writeCodeRegs(into, saved, ip) {
    if (into.length < saved.length) throw new RangeError(`${into.length} bytes cannot hold a register set of ${saved.length}`);
    into.set(saved);
    writeU64(into, X86_64_REGS.rip, ip);
    // orig_rax = -1: "not in a syscall". With the saved value of a thread stopped inside a
    // blocking syscall, the kernel's restart logic would rewind rip by 2 from our address.
    writeU64(into, X86_64_REGS.orig_rax, -1n);
    writeU64(into, X86_64_REGS.eflags, readU64(into, X86_64_REGS.eflags) & ~EFLAGS_TF);
  },
  writeStubRegs(into, saved, run) {
    this.writeCodeRegs(into, saved, run.entry);
    // What x86_64-stub.ts's code reads: its slot area in rbx, its threads' delta in rbp.
    writeU64(into, X86_64_REGS.rbx, run.slots);
    writeU64(into, X86_64_REGS.rbp, run.delta);
  },
  writeInjectedRegs(into, saved, insnAddr, nr, args) {
    if (args.length > ARG_REGS.length) throw new RangeError(`a syscall takes at most 6 arguments, got ${args.length}`);
    this.writeCodeRegs(into, saved, insnAddr);
    writeU64(into, X86_64_REGS.rax, BigInt(nr));
    for (let i = 0; i < ARG_REGS.length; i++) writeU64(into, ARG_REGS[i]!, args[i] ?? 0n);
  },
  syscallResult: (regs) => readI64(regs, X86_64_REGS.rax),
  inSyscall: (regs) => readI64(regs, X86_64_REGS.orig_rax) >= 0n,
  syscallInsnBehind(regs) {
    // In a syscall (orig_rax >= 0) and stopped inside get_signal, before any restart rewinds
    // rip: the 2-byte instruction it came from ends at rip. Never the kernel half (vsyscall).
    if (readI64(regs, X86_64_REGS.orig_rax) < 0n) return undefined;
    const rip = readU64(regs, X86_64_REGS.rip);
    return rip >= 2n && rip < 1n << 47n ? rip - 2n : undefined;
  },
  stubs: x86_64Stubs,
};
