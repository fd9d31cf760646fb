import type { SupportedArch } from '../../kernel/syscall-numbers.js';

/**
 * Machine code for a batch of syscalls (see x86_64-stub.ts). The code keeps its results and
 * mask words in a slot area of the thread's own, which it finds through a register: threads
 * that run the same calls share one copy of the code.
 *
 * A slot area holds one 64-bit result per call (STUB_NOT_RUN until the call stores its own),
 * then two mask words: the raw result of the code's own call that blocks signals (not-run until
 * it has run), then the thread's signal mask as that call found it. The code uses the words
 * after those as it likes.
 */
export interface StubCode {
  readonly code: Buffer;
  /** The trap that ends the code; the thread stops with its instruction pointer right after it. */
  readonly trapOffset: number;
  /** A slot area as it must be before the code runs. */
  readonly slots: Buffer;
}

/**
 * The code of many threads' batches in one block (see x86_64Stubs): offsets into `code`, one
 * per batch. Batches that differ only by one amount added to some of their arguments (each
 * thread's own output areas) share one code; the others have code of their own.
 */
export interface StubBlock {
  readonly code: Buffer;
  /** Where each batch's code starts, and its trapOffset (see StubCode). */
  readonly entries: readonly number[];
  readonly traps: readonly number[];
  /** Where each batch's slot area starts. */
  readonly slots: readonly number[];
  /** What each batch adds to the arguments its shared code varies (0n for code of its own). */
  readonly deltas: readonly bigint[];
}

/** Where a thread runs injected code, and the values that code takes in registers (StubBlock). */
export interface StubEntry {
  readonly entry: bigint;
  /** The address of the thread's slot area. */
  readonly slots: bigint;
  readonly delta: bigint;
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
  /** writeCodeRegs at the code's entry, with the registers that code reads set (StubEntry). */
  writeStubRegs(into: Uint8Array, saved: Uint8Array, run: StubEntry): void;
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
   * (`notRun` until then), and ends in a trap; absent where not written yet. A batch's slot
   * area is 8 bytes a call, then the mask words (StubCode).
   */
  readonly stubs?: (batches: readonly (readonly { nr: number; args: readonly bigint[] }[])[], stopAtErrno: boolean, notRun: bigint) => StubBlock;
}
