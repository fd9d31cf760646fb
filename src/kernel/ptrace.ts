/**
 * Raw ptrace requests used by the remote-syscall engine. Every call must come from the thread
 * that attached (the kernel's ptrace_check_attach compares the tracer *thread*), so these are
 * synchronous koffi calls on the caller's thread; never call them through koffi's async API.
 * Callers outside src/inject/ should not use this module: it hands out raw register bytes.
 *
 * Every buffer the kernel reads or writes through an address (the iovec of GET/SETREGSET, the
 * signal mask, siginfo, rseq configuration) lives in one pinned block (see pinned.ts): an
 * address of a JS-heap buffer is never held across an allocation.
 */
import { check, failed, isFailure } from './check.js';
import { defineErrnoMeanings } from './errno.js';
import { libcFunc } from './ffi.js';
import { GrowablePinned, PinnedBlock } from './pinned.js';
import { syscallNumber } from './syscall-numbers.js';
import { readI32, readU32, readU64, writeU32, writeU64 } from './words.js';

export const PTRACE_PEEKTEXT = 1;
export const PTRACE_CONT = 7;
export const PTRACE_SINGLESTEP = 9;
export const PTRACE_DETACH = 17;
export const PTRACE_SYSCALL = 24;
export const PTRACE_GETSIGINFO = 0x4202;
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
/** x86's extended state (XSAVE standard format: x87, SSE, AVX..., as a signal frame holds it). */
const NT_X86_XSTATE = 0x202;

const REQUEST_NAMES: Record<number, string> = {
  [PTRACE_PEEKTEXT]: 'PTRACE_PEEKTEXT', [PTRACE_CONT]: 'PTRACE_CONT', [PTRACE_SINGLESTEP]: 'PTRACE_SINGLESTEP', [PTRACE_DETACH]: 'PTRACE_DETACH',
  [PTRACE_SYSCALL]: 'PTRACE_SYSCALL', [PTRACE_GETSIGINFO]: 'PTRACE_GETSIGINFO', [PTRACE_GETREGSET]: 'PTRACE_GETREGSET',
  [PTRACE_SETREGSET]: 'PTRACE_SETREGSET', [PTRACE_SEIZE]: 'PTRACE_SEIZE', [PTRACE_INTERRUPT]: 'PTRACE_INTERRUPT',
  [PTRACE_GETSIGMASK]: 'PTRACE_GETSIGMASK', [PTRACE_SETSIGMASK]: 'PTRACE_SETSIGMASK',
  [PTRACE_GET_RSEQ_CONFIGURATION]: 'PTRACE_GET_RSEQ_CONFIGURATION',
};

defineErrnoMeanings('ptrace', {
  EPERM: 'not allowed to trace this thread (other uid without CAP_SYS_PTRACE, not dumpable, already traced, exiting, or Yama ptrace_scope)',
  ESRCH: 'the thread is gone, or is not stopped under this tracer',
  EIO: 'bad request or register set for this kernel/architecture',
  EINVAL: 'request or option not supported by this kernel',
  EFAULT: 'bad buffer address',
  EBUSY: 'the thread is busy (debug register allocation)',
});

/** Largest register set we accept (x86_64: 216 bytes, aarch64: 272). */
export const MAX_REGS = 512;
// Layout of the pinned block.
const REGS = 0;
const IOV = MAX_REGS;
const SIGMASK = IOV + 16;
const RSEQ = SIGMASK + 8;
const SIGINFO = RSEQ + 32;
const PEEK = SIGINFO + 128;
/** The iovec of NT_X86_XSTATE (its buffer is a block of its own). */
const IOV_X = PEEK + 8;
const BLOCK_SIZE = IOV_X + 16;

let pinned: PinnedBlock | undefined;
function block(): PinnedBlock {
  if (pinned === undefined) {
    pinned = new PinnedBlock(BLOCK_SIZE);
    // The iovec of GET/SETREGSET always points at REGS; only its length changes per call.
    writeU64(pinned.buf, IOV, BigInt(pinned.at(REGS)));
    regsView = pinned.buf.subarray(REGS, REGS + MAX_REGS);
  }
  return pinned;
}

/** The block's register area, and the last view of it that lastRegs handed out. */
let regsView: Buffer | undefined;
let lastView: Buffer | undefined;

/** The iovec's length word: the room given, then the bytes the kernel filled (32-bit halves). */
function setIovLength(b: PinnedBlock, length: number): void {
  writeU32(b.buf, IOV + 8, length);
  writeU32(b.buf, IOV + 12, 0);
}

type PtraceFn = (request: number, pid: number, addr: number, data: number) => number | bigint;
let ptraceFn: PtraceFn | undefined;

/** ptrace(request, tid, addr, data); addresses are user-space pointers (exact as doubles). */
function ptrace(request: number, tid: number, addr: number, data: number): number {
  const fn = (ptraceFn ??= libcFunc<PtraceFn>('long ptrace(int, int, uintptr_t, uintptr_t)'));
  const ret = fn(request, tid, addr, data);
  if (isFailure(ret)) failed('ptrace', `${REQUEST_NAMES[request] ?? request} tid ${tid}`);
  return Number(ret);
}

type PeekFn = (nr: number, request: number, tid: number, addr: number, data: number) => number | bigint;
let peekFn: PeekFn | undefined;

/**
 * PTRACE_PEEKTEXT: the 8 bytes at `addr` in a stopped tracee, one system call. Made as the raw
 * syscall, which stores the word at `data` and returns 0: glibc's wrapper returns the word
 * itself, and a word of all ones would then read as a failure.
 */
export function peekWord(tid: number, addr: bigint): bigint {
  const b = block();
  const fn = (peekFn ??= libcFunc<PeekFn>('long syscall(long, long, long, uintptr_t, uintptr_t)'));
  const ret = fn(syscallNumber('ptrace'), PTRACE_PEEKTEXT, tid, Number(addr), b.at(PEEK));
  if (isFailure(ret)) failed('ptrace', `PTRACE_PEEKTEXT tid ${tid} at 0x${addr.toString(16)}`);
  return readU64(b.buf, PEEK);
}

/** PTRACE_SEIZE: attach without stopping. */
export function ptraceSeize(tid: number, options: number): void {
  ptrace(PTRACE_SEIZE, tid, 0, options);
}

/** PTRACE_INTERRUPT: ask a seized thread to enter a PTRACE_EVENT_STOP. */
export function ptraceInterrupt(tid: number): void {
  ptrace(PTRACE_INTERRUPT, tid, 0, 0);
}

/** PTRACE_CONT, delivering `signal` (0 for none). */
export function ptraceCont(tid: number, signal = 0): void {
  ptrace(PTRACE_CONT, tid, 0, signal);
}

/** PTRACE_SYSCALL: resume until the next syscall-entry or syscall-exit stop. */
export function ptraceSyscall(tid: number, signal = 0): void {
  ptrace(PTRACE_SYSCALL, tid, 0, signal);
}

/**
 * PTRACE_SINGLESTEP: resume for one instruction. From a `syscall` instruction the thread runs
 * the whole syscall and reports a SIGTRAP signal-delivery-stop on its way back to user mode.
 */
export function ptraceSingleStep(tid: number, signal = 0): void {
  ptrace(PTRACE_SINGLESTEP, tid, 0, signal);
}

/** PTRACE_DETACH, delivering `signal` (0 for none). The thread must be in a ptrace stop. */
export function ptraceDetach(tid: number, signal = 0): void {
  ptrace(PTRACE_DETACH, tid, 0, signal);
}

/**
 * PTRACE_GETREGSET NT_PRSTATUS into the pinned block. Returns the byte count the kernel filled:
 * it tells the register layout (216 for an x86_64 task, 68 for a 32-bit compat task). The bytes
 * stay readable through `lastRegs()` until the next register call.
 */
export function readRegs(tid: number, capacity = MAX_REGS): number {
  const b = block();
  setIovLength(b, Math.min(capacity, MAX_REGS));
  ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, b.at(IOV));
  return readU32(b.buf, IOV + 8);
}

/** The register bytes of the last readRegs (a view into the pinned block: copy to keep). */
export function lastRegs(length: number): Buffer {
  block();
  // One view per length, not one per call: the single-call path asks for it at every stop.
  if (lastView === undefined || lastView.length !== length) lastView = regsView!.subarray(0, length);
  return lastView;
}

/** PTRACE_GETREGSET NT_PRSTATUS, as a fresh copy of the bytes the kernel filled. */
export function getRegs(tid: number, capacity = MAX_REGS): Buffer {
  const len = readRegs(tid, capacity);
  const copy = Buffer.allocUnsafe(len);
  copy.set(lastRegs(len));
  return copy;
}

/**
 * The pinned area that sendRegs sends from (MAX_REGS bytes): a register set can be built in
 * place there instead of in a buffer of its own that would then be copied in.
 */
export function regsArea(): Buffer {
  block();
  return regsView!;
}

/** PTRACE_SETREGSET NT_PRSTATUS with the first `length` bytes of regsArea(). */
export function sendRegs(tid: number, length: number): void {
  if (length > MAX_REGS) throw new RangeError(`register set of ${length} bytes is larger than ${MAX_REGS}`);
  const b = block();
  setIovLength(b, length);
  ptrace(PTRACE_SETREGSET, tid, NT_PRSTATUS, b.at(IOV));
}

/** PTRACE_SETREGSET NT_PRSTATUS with exactly the bytes given (same length as getRegs returned). */
export function setRegs(tid: number, regs: Uint8Array): void {
  if (regs.length > MAX_REGS) throw new RangeError(`register set of ${regs.length} bytes is larger than ${MAX_REGS}`);
  regsArea().set(regs);
  sendRegs(tid, regs.length);
}

const xstateBlock = new GrowablePinned();
/** Room for the largest XSAVE image a kernel hands out (AMX: 11 KiB). */
const XSTATE_ROOM = 16 * 1024;

/** PTRACE_GETREGSET NT_X86_XSTATE: the thread's XSAVE image (standard format), a fresh copy. */
export function getXstate(tid: number): Buffer {
  const b = block();
  const area = xstateBlock.get(XSTATE_ROOM);
  try {
    writeU64(b.buf, IOV_X, BigInt(area.addr));
    writeU64(b.buf, IOV_X + 8, BigInt(XSTATE_ROOM));
    ptrace(PTRACE_GETREGSET, tid, NT_X86_XSTATE, b.at(IOV_X));
    const len = Number(readU64(b.buf, IOV_X + 8));
    return Buffer.from(area.buf.subarray(0, len));
  } finally {
    xstateBlock.release();
  }
}

/** PTRACE_GETSIGMASK: the thread's blocked-signal mask (bit n-1 = signal n). */
export function getSigmask(tid: number): bigint {
  const b = block();
  ptrace(PTRACE_GETSIGMASK, tid, 8, b.at(SIGMASK));
  return readU64(b.buf, SIGMASK);
}

/** PTRACE_SETSIGMASK (the kernel silently keeps SIGKILL and SIGSTOP unblocked). */
export function setSigmask(tid: number, mask: bigint): void {
  const b = block();
  writeU64(b.buf, SIGMASK, mask);
  ptrace(PTRACE_SETSIGMASK, tid, 8, b.at(SIGMASK));
}

/** The head of the siginfo of a thread in a signal-delivery-stop. */
export interface SiginfoHead {
  signo: number;
  /** si_code: > 0 set by the kernel (TRAP_BRKPT = 1, TRAP_TRACE = 2...), <= 0 sent by a process. */
  code: number;
}

/** PTRACE_GETSIGINFO: which signal stopped the thread, and who sent it. */
export function getSiginfo(tid: number): SiginfoHead {
  const b = block();
  ptrace(PTRACE_GETSIGINFO, tid, 0, b.at(SIGINFO));
  return { signo: readI32(b.buf, SIGINFO), code: readI32(b.buf, SIGINFO + 8) };
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
  const b = block();
  try {
    ptrace(PTRACE_GET_RSEQ_CONFIGURATION, tid, 24, b.at(RSEQ));
  } catch (e) {
    if ((e as { errnoName?: string }).errnoName === 'EIO') return undefined;
    throw e;
  }
  return {
    abiPointer: readU64(b.buf, RSEQ),
    abiSize: readU32(b.buf, RSEQ + 8),
    signature: readU32(b.buf, RSEQ + 12),
    flags: readU32(b.buf, RSEQ + 16),
  };
}

/** tgkill(tgid, tid, sig): re-queues a signal the engine had to take out of a thread's way. */
export function tgkill(tgid: number, tid: number, signal: number): void {
  const fn = libcFunc<(a: number, b: number, c: number) => number>('int tgkill(int, int, int)');
  check('tgkill', () => fn(tgid, tid, signal), `tid ${tid}, signal ${signal}`);
}
