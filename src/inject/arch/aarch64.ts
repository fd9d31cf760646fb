/**
 * aarch64: struct user_pt_regs (arch/arm64/include/uapi/asm/ptrace.h), 272 bytes. The offsets
 * are ready; injection is not: arm64 keeps the syscall number apart from the register set
 * (NT_ARM_SYSTEM_CALL) and restarts through x0/orig_x0, which needs its own restore path.
 */
import { NumapolError } from '../../errors.js';
import { readI64, readU64 } from '../../kernel/words.js';
import type { Arch } from './types.js';

export const AARCH64_REGS = {
  x0: 0, x1: 8, x2: 16, x3: 24, x4: 32, x5: 40, x8: 64, sp: 248, pc: 256, pstate: 264,
} as const;

function unsupported(): never {
  throw new NumapolError('EARCH', 'remote syscalls are not supported on aarch64 yet (x86_64 only)');
}

export const aarch64: Arch = {
  name: 'aarch64',
  syscallTable: 'arm64',
  regsSize: 272,
  /** svc #0, little-endian. */
  syscallInsn: Buffer.from([0x01, 0x00, 0x00, 0xd4]),
  insnAlign: 4,
  instructionPointer: (regs) => readU64(regs, AARCH64_REGS.pc),
  stackPointer: (regs) => readU64(regs, AARCH64_REGS.sp),
  redZone: 0,
  // The syscall number lives in NT_ARM_SYSTEM_CALL, not in this register set.
  inSyscall: () => false,
  withInstructionPointer: unsupported,
  writeCodeRegs: unsupported,
  writeParkRegs: unsupported,
  resumeRegs: unsupported,
  writeInjectedRegs: unsupported,
  syscallResult: (regs) => readI64(regs, AARCH64_REGS.x0),
};
