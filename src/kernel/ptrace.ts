/**
 * Raw ptrace requests used by the remote-syscall engine. Every call must come from the thread
 * that attached (the kernel's ptrace_check_attach compares the tracer *thread*), so these are
 * synchronous koffi calls on the caller's thread; never call them through koffi's async API.
 * Callers outside src/inject/ should not use this module: it hands out raw register bytes.
 */
import { check } from './check.js';
import { defineErrnoMeanings } from './errno.js';
import { koffi, libcFunc } from './ffi.js';

export const PTRACE_CONT = 7;
export const PTRACE_DETACH = 17;
export const PTRACE_SYSCALL = 24;
export const PTRACE_GETREGSET = 0x4204;
export const PTRACE_SETREGSET = 0x4205;
export const PTRACE_SEIZE = 0x4206;
export const PTRACE_INTERRUPT = 0x4207;
export const PTRACE_GETSIGMASK = 0x420a;
export const PTRACE_SETSIGMASK = 0x420b;
export const PTRACE_GET_RSEQ_CONFIGURATION = 0x420f;

export const PTRACE_O_TRACESYSGOOD = 1;
/** Suspends the tracee's seccomp filters while traced; needs CAP_SYS_ADMIN. Opt-in only. */
export const PTRACE_O_SUSPEND_SECCOMP = 1 << 21;

/** The general-purpose register set (struct user_regs_struct / user_pt_regs). */
const NT_PRSTATUS = 1;

defineErrnoMeanings('ptrace', {
  EPERM: 'not allowed to trace this thread (other uid without CAP_SYS_PTRACE, not dumpable, already traced, or Yama ptrace_scope)',
  ESRCH: 'the thread is gone, or is not stopped under this tracer',
  EIO: 'bad request or register set for this kernel/architecture',
  EINVAL: 'request or option not supported by this kernel',
  EFAULT: 'bad buffer address',
  EBUSY: 'the thread is busy (debug register allocation)',
});

type PtraceFn = (request: number, pid: number, addr: bigint, data: bigint) => number | bigint;

function ptrace(request: number, tid: number, addr: bigint, data: bigint, what: string): bigint {
  const fn = libcFunc<PtraceFn>('long ptrace(int, int, intptr_t, intptr_t)');
  return BigInt(check('ptrace', () => fn(request, tid, addr, data), `${what} tid ${tid}`));
}

/** PTRACE_SEIZE: attach without stopping. */
export function ptraceSeize(tid: number, options: number): void {
  ptrace(PTRACE_SEIZE, tid, 0n, BigInt(options), 'PTRACE_SEIZE');
}

/** PTRACE_INTERRUPT: ask a seized thread to enter a PTRACE_EVENT_STOP. */
export function ptraceInterrupt(tid: number): void {
  ptrace(PTRACE_INTERRUPT, tid, 0n, 0n, 'PTRACE_INTERRUPT');
}

/** PTRACE_CONT, delivering `signal` (0 for none). */
export function ptraceCont(tid: number, signal = 0): void {
  ptrace(PTRACE_CONT, tid, 0n, BigInt(signal), 'PTRACE_CONT');
}

/** PTRACE_SYSCALL: resume until the next syscall-entry or syscall-exit stop. */
export function ptraceSyscall(tid: number, signal = 0): void {
  ptrace(PTRACE_SYSCALL, tid, 0n, BigInt(signal), 'PTRACE_SYSCALL');
}

/** PTRACE_DETACH, delivering `signal` (0 for none). The thread must be in a ptrace stop. */
export function ptraceDetach(tid: number, signal = 0): void {
  ptrace(PTRACE_DETACH, tid, 0n, BigInt(signal), 'PTRACE_DETACH');
}

function iovec(buf: Buffer): Buffer {
  const iov = Buffer.alloc(16);
  iov.writeBigUInt64LE(koffi().address(buf), 0);
  iov.writeBigUInt64LE(BigInt(buf.length), 8);
  return iov;
}

/**
 * PTRACE_GETREGSET NT_PRSTATUS. Returns the bytes the kernel filled: their length tells the
 * register layout (216 for an x86_64 task, 68 for a 32-bit compat task).
 */
export function getRegs(tid: number, capacity = 512): Buffer {
  const regs = Buffer.alloc(capacity);
  const iov = iovec(regs);
  ptrace(PTRACE_GETREGSET, tid, BigInt(NT_PRSTATUS), koffi().address(iov), 'PTRACE_GETREGSET');
  const len = Number(iov.readBigUInt64LE(8));
  return Buffer.from(regs.subarray(0, len));
}

/** PTRACE_SETREGSET NT_PRSTATUS with exactly the bytes given (same length as getRegs returned). */
export function setRegs(tid: number, regs: Buffer): void {
  const copy = Buffer.from(regs);
  const iov = iovec(copy);
  ptrace(PTRACE_SETREGSET, tid, BigInt(NT_PRSTATUS), koffi().address(iov), 'PTRACE_SETREGSET');
}

/** PTRACE_GETSIGMASK: the thread's blocked-signal mask (bit n-1 = signal n). */
export function getSigmask(tid: number): bigint {
  const buf = Buffer.alloc(8);
  ptrace(PTRACE_GETSIGMASK, tid, 8n, koffi().address(buf), 'PTRACE_GETSIGMASK');
  return buf.readBigUInt64LE(0);
}

/** PTRACE_SETSIGMASK (the kernel silently keeps SIGKILL and SIGSTOP unblocked). */
export function setSigmask(tid: number, mask: bigint): void {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64LE(BigInt.asUintN(64, mask), 0);
  ptrace(PTRACE_SETSIGMASK, tid, 8n, koffi().address(buf), 'PTRACE_SETSIGMASK');
}

/** The thread's registered rseq area (struct ptrace_rseq_configuration). */
export interface RseqConfiguration {
  /** Address of the thread's struct rseq in the target; 0 when the thread registered none. */
  abiPointer: bigint;
  abiSize: number;
  signature: number;
  flags: number;
}

/**
 * PTRACE_GET_RSEQ_CONFIGURATION (Linux 5.13+). Returns undefined on kernels without the request
 * (EIO), where no rseq fixup is possible.
 */
export function getRseqConfiguration(tid: number): RseqConfiguration | undefined {
  const buf = Buffer.alloc(24);
  try {
    ptrace(PTRACE_GET_RSEQ_CONFIGURATION, tid, 24n, koffi().address(buf), 'PTRACE_GET_RSEQ_CONFIGURATION');
  } catch (e) {
    if ((e as { errnoName?: string }).errnoName === 'EIO') return undefined;
    throw e;
  }
  return {
    abiPointer: buf.readBigUInt64LE(0),
    abiSize: buf.readUInt32LE(8),
    signature: buf.readUInt32LE(12),
    flags: buf.readUInt32LE(16),
  };
}

/** tgkill(tgid, tid, sig): re-queues a signal the engine had to take out of a thread's way. */
export function tgkill(tgid: number, tid: number, signal: number): void {
  const fn = libcFunc<(a: number, b: number, c: number) => number>('int tgkill(int, int, int)');
  check('tgkill', () => fn(tgid, tid, signal), `tid ${tid}, signal ${signal}`);
}
