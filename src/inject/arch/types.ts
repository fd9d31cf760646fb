import type { SupportedArch } from '../../kernel/syscall-numbers.js';

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
  /** A copy of `regs` with the instruction pointer moved. */
  withInstructionPointer(regs: Buffer, ip: bigint): Buffer;
  /** Registers that run syscall `nr(args)` at `insnAddr`, built from a copy of the saved set. */
  injectedRegs(saved: Buffer, insnAddr: bigint, nr: number, args: readonly bigint[]): Buffer;
  /** The raw return value (signed): -4095..-1 is -errno. */
  syscallResult(regs: Buffer): bigint;
}
