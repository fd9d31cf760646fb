/** x86_64: struct user_regs_struct (arch/x86/include/asm/user_64.h), 27 × 8 bytes. */
import { readI64, readU64, writeU64 } from '../../kernel/words.js';
import type { Arch } from './types.js';
import { X86_64_REGS } from './x86_64-regs.js';
import { SIGRETURN, SYSCALL_RET } from './x86_64-frame.js';
import { X86_64_PARK } from './x86_64-park.js';

export { X86_64_REGS } from './x86_64-regs.js';

/** The syscall ABI's argument registers, in order. */
const ARG_REGS = [X86_64_REGS.rdi, X86_64_REGS.rsi, X86_64_REGS.rdx, X86_64_REGS.r10, X86_64_REGS.r8, X86_64_REGS.r9];
const EFLAGS_TF = 0x100n;
/** The direction and alignment-check flags: the park code assumes both clear (the ABI's state at a call). */
const EFLAGS_DF = 0x400n;
const EFLAGS_AC = 0x40000n;

/** -ERESTARTSYS, -ERESTARTNOINTR, -ERESTARTNOHAND: the syscall runs again with its own arguments. */
const RESTART_SAME = new Set([-512n, -513n, -514n]);
/** -ERESTART_RESTARTBLOCK: restart_syscall continues it from the kernel's restart block. */
const RESTART_BLOCK = -516n;
const NR_RESTART_SYSCALL = 219n;
/** An x32 task's syscall numbers carry this bit; its restart_syscall does too. */
const X32_SYSCALL_BIT = 0x40000000n;

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
  writeParkRegs(into, saved, entry, slot) {
    this.writeCodeRegs(into, saved, entry);
    writeU64(into, X86_64_REGS.eflags, readU64(into, X86_64_REGS.eflags) & ~(EFLAGS_DF | EFLAGS_AC));
    // What x86_64-park.ts's code reads: the thread's slot area in rbx.
    writeU64(into, X86_64_REGS.rbx, slot);
  },
  resumeRegs(regs, restartBlock = 'continue') {
    // arch_do_signal_or_restart (arch/x86/kernel/signal.c) when get_signal delivered nothing.
    const r = Buffer.from(regs);
    const nr = readI64(r, X86_64_REGS.orig_rax);
    if (nr >= 0n) {
      const ret = readI64(r, X86_64_REGS.rax);
      const rewound = readU64(r, X86_64_REGS.rip) - 2n;
      if (RESTART_SAME.has(ret) || (ret === RESTART_BLOCK && restartBlock === 'rerun')) {
        writeU64(r, X86_64_REGS.rax, BigInt.asUintN(64, nr));
        writeU64(r, X86_64_REGS.rip, rewound);
      } else if (ret === RESTART_BLOCK) {
        writeU64(r, X86_64_REGS.rax, NR_RESTART_SYSCALL | (nr & X32_SYSCALL_BIT));
        writeU64(r, X86_64_REGS.rip, rewound);
      }
    }
    writeU64(r, X86_64_REGS.orig_rax, -1n);
    return r;
  },
  writeInjectedRegs(into, saved, insnAddr, nr, args) {
    if (args.length > ARG_REGS.length) throw new RangeError(`a syscall takes at most 6 arguments, got ${args.length}`);
    this.writeCodeRegs(into, saved, insnAddr);
    writeU64(into, X86_64_REGS.rax, BigInt(nr));
    for (let i = 0; i < ARG_REGS.length; i++) writeU64(into, ARG_REGS[i]!, args[i] ?? 0n);
  },
  writeNetRegs(into, saved, insnAddr, sp, nr, args) {
    this.writeInjectedRegs(into, saved, insnAddr, nr, args);
    writeU64(into, X86_64_REGS.rsp, sp);
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
  park: X86_64_PARK,
  netGadgets: { syscallRet: SYSCALL_RET, sigreturn: SIGRETURN },
};
