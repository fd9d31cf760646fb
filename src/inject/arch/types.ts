import type { SupportedArch } from '../../kernel/syscall-numbers.js';
import type { ParkLayout } from './x86_64-park.js';

export type { ParkLayout } from './x86_64-park.js';

/** What the engine needs to know about one CPU architecture's registers. */
export interface Arch {
  /** The kernel's name (uname -m). */
  readonly name: string;
  /** Key into SYSCALL_NUMBERS. */
  readonly syscallTable: SupportedArch;
  /** Size of a native (non-compat) NT_PRSTATUS register set. */
  readonly regsSize: number;
  /** The syscall instruction's bytes, and the alignment an address holding it must have. */
  readonly syscallInsn: Buffer;
  readonly insnAlign: number;
  instructionPointer(regs: Uint8Array): bigint;
  stackPointer(regs: Uint8Array): bigint;
  /** Bytes below the stack pointer that code may use without moving it (the ABI's red zone). */
  readonly redZone: number;
  /** A copy of `regs` with the instruction pointer moved. */
  withInstructionPointer(regs: Buffer, ip: bigint): Buffer;
  /**
   * Fills `into` with the saved registers changed to run code at `ip`: not in a syscall (so no
   * restart rewinds `ip`) and not single-stepping. Written in place (ptrace's register area),
   * not into a buffer of its own: a thread's injection builds one or two of these.
   */
  writeCodeRegs(into: Uint8Array, saved: Uint8Array, ip: bigint): void;
  /** writeCodeRegs at the park code's entry, with the thread's slot area where the code looks for it. */
  writeParkRegs(into: Uint8Array, saved: Uint8Array, entry: bigint, slot: bigint): void;
  /**
   * The registers a thread stopped with `regs` inside get_signal resumes user mode with when no
   * signal handler runs: the kernel's syscall-restart rules applied (an interrupted syscall
   * rewound to run again, or to restart_syscall), marked as not in a syscall so no later
   * stop applies them twice. With `restartBlock` 'rerun', a syscall the kernel would continue
   * from its restart block (a sleep with a timeout) runs again from the start instead: for a
   * way back that loses the restart block (rt_sigreturn). A copy; `regs` is left as it is.
   */
  resumeRegs(regs: Uint8Array, restartBlock?: 'continue' | 'rerun'): Buffer;
  /**
   * Byte patterns of a one-shot call's safety net (x86_64-frame.ts): a `syscall; ret`, and the
   * program's rt_sigreturn trampoline; absent where there is none.
   */
  readonly netGadgets?: { readonly syscallRet: Buffer; readonly sigreturn: readonly Buffer[] };
  /** writeCodeRegs at `insnAddr`, with syscall `nr(args)` loaded (missing arguments are 0). */
  writeInjectedRegs(into: Uint8Array, saved: Uint8Array, insnAddr: bigint, nr: number, args: readonly bigint[]): void;
  /** writeInjectedRegs with the stack pointer at `sp` (a one-shot call's safety net frame). */
  writeNetRegs?(into: Uint8Array, saved: Uint8Array, insnAddr: bigint, sp: bigint, nr: number, args: readonly bigint[]): void;
  /** The thread was stopped inside a syscall (false also where the register set cannot tell). */
  inSyscall(regs: Uint8Array): boolean;
  /**
   * Where the syscall instruction a thread stopped inside a syscall entered the kernel from
   * (its bytes still to be checked by the caller); undefined when the thread was not in a
   * syscall or the architecture cannot tell from `regs` alone.
   */
  syscallInsnBehind?(regs: Uint8Array): bigint | undefined;
  /** The raw return value (signed): -4095..-1 is -errno. */
  syscallResult(regs: Uint8Array): bigint;
  /**
   * The park code (x86_64-park.ts): runs a thread's calls and parks it where numapol's death
   * cannot hurt it. Absent where not written yet (every call then runs on its own).
   */
  readonly park?: ParkLayout;
}
