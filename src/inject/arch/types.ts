import type { SupportedArch } from '../../kernel/syscall-numbers.js';

/** Machine code for a batch of syscalls (see x86_64-stub.ts). */
export interface StubCode {
  readonly code: Buffer;
  /** Where call i stores its raw result (a 64-bit word at resultsOffset + 8i). */
  readonly resultsOffset: number;
}

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
  instructionPointer(regs: Buffer): bigint;
  stackPointer(regs: Buffer): bigint;
  /** Bytes below the stack pointer that code may use without moving it (the ABI's red zone). */
  readonly redZone: number;
  /** A copy of `regs` with the instruction pointer moved. */
  withInstructionPointer(regs: Buffer, ip: bigint): Buffer;
  /** Registers that run syscall `nr(args)` at `insnAddr`, built from a copy of the saved set. */
  injectedRegs(saved: Buffer, insnAddr: bigint, nr: number, args: readonly bigint[]): Buffer;
  /** The thread was stopped inside a syscall (false also where the register set cannot tell). */
  inSyscall(regs: Buffer): boolean;
  /**
   * Where the syscall instruction a thread stopped inside a syscall entered the kernel from
   * (its bytes still to be checked by the caller); undefined when the thread was not in a
   * syscall or the architecture cannot tell from `regs` alone.
   */
  syscallInsnBehind?(regs: Buffer): bigint | undefined;
  /** The raw return value (signed): -4095..-1 is -errno. */
  syscallResult(regs: Buffer): bigint;
  /**
   * Code that runs `calls` in order, storing each raw result in its slot (`notRun` until then),
   * and ends in a trap; absent where not written yet.
   */
  readonly stub?: (calls: readonly { nr: number; args: readonly bigint[] }[], stopAtErrno: boolean, notRun: bigint) => StubCode;
}
