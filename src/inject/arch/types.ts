import type { SupportedArch } from '../../kernel/syscall-numbers.js';

/** Machine code for a batch of syscalls (see x86_64-stub.ts). */
export interface StubCode {
  readonly code: Buffer;
  /** Where call i stores its raw result (a 64-bit word at resultsOffset + 8i). */
  readonly resultsOffset: number;
  /** The trap that ends the code; the thread stops with its instruction pointer right after it. */
  readonly trapOffset: number;
  /**
   * Two 64-bit words: the raw result of the code's own call that blocks signals (not-run until
   * it has run), then the thread's signal mask as that call found it.
   */
  readonly maskOffset: number;
}

/** The code of many batches in one block (see x86_64Stubs): offsets into `code`, one per batch. */
export interface StubBlock {
  readonly code: Buffer;
  /** Where each batch's code starts. */
  readonly entries: readonly number[];
  /** Where each batch's result slots start. */
  readonly results: readonly number[];
  /** Each batch's trapOffset and maskOffset (see StubCode). */
  readonly traps: readonly number[];
  readonly masks: readonly number[];
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
  /** writeCodeRegs at `insnAddr`, with syscall `nr(args)` loaded (missing arguments are 0). */
  writeInjectedRegs(into: Uint8Array, saved: Uint8Array, insnAddr: bigint, nr: number, args: readonly bigint[]): void;
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
   * Code for each batch that runs its calls in order, storing each raw result in its slot
   * (`notRun` until then), and ends in a trap; absent where not written yet.
   */
  readonly stubs?: (batches: readonly (readonly { nr: number; args: readonly bigint[] }[])[], stopAtErrno: boolean, notRun: bigint) => StubBlock;
}
