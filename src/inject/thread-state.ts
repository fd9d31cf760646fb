/**
 * One traced thread and the ptrace steps on it, as an explicit state machine:
 *
 *   seized ──(event stop)──▶ stopped ──inject──▶ injecting ──(back at an event stop,
 *      │                        │                 registers and mask restored)──▶ stopped
 *      └──────(exit)──────▶ gone ◀───────────────────┘               │
 *                                                     detach ◀───────┘ ──▶ detached
 *
 * "stopped" always means: in a PTRACE_EVENT_STOP with the thread's own registers and signal
 * mask. Foreign registers exist only inside `injectSyscall`, one thread at a time.
 */
import { readFileSync } from 'node:fs';
import { NumapolError } from '../errors.js';
import {
  getRegs, getRseqConfiguration, getSigmask, ptraceCont, ptraceDetach, ptraceInterrupt, ptraceSeize,
  ptraceSyscall, setRegs, setSigmask, tgkill,
} from '../kernel/ptrace.js';
import { processVmRead } from '../kernel/remote-memory.js';
import {
  isEventStop, isSignalDeliveryStop, isSyscallStop, schedYield, sleepSync, wait4, WNOHANG, type WaitStatus,
} from '../kernel/wait.js';
import type { Arch } from './arch/index.js';
import { isErrno, stopTimeout, threadExited } from './errors.js';
import { threadState } from './preflight.js';

export type ThreadPhase = 'seized' | 'stopped' | 'injecting' | 'gone' | 'detached';

/** Signals the kernel forces on a thread for a fault at its own instruction (never re-queued). */
const FAULT_SIGNALS = new Set([4, 5, 7, 8, 11, 31]);
const ALL_SIGNALS = (1n << 64n) - 1n;

export class TracedThread {
  phase: ThreadPhase = 'seized';
  /** The thread was in a group-stop (SIGSTOP/SIGTSTP...) when we stopped it. */
  groupStopped = false;
  /** rseq fixup already applied to the saved registers. */
  private rseqChecked = false;

  constructor(readonly pid: number, readonly tid: number) {}

  get alive(): boolean {
    return this.phase !== 'gone' && this.phase !== 'detached';
  }
}

/**
 * Polls one thread for a wait status until `deadline` (performance.now() ms). A stop normally
 * comes within microseconds, so yield the CPU for the first few ms, then nap in short steps.
 */
export function pollStatus(t: TracedThread, deadline: number): WaitStatus | undefined {
  const spinUntil = performance.now() + 5;
  for (;;) {
    const s = pollOnce(t);
    if (s !== undefined) return s;
    const now = performance.now();
    if (now > deadline) return undefined;
    if (now < spinUntil) schedYield();
    else sleepSync(0.2);
  }
}

/** One WNOHANG wait4; a thread already reaped (ECHILD) reads as exited. */
export function pollOnce(t: TracedThread): WaitStatus | undefined {
  try {
    return wait4(t.tid, WNOHANG);
  } catch (e) {
    if (isErrno(e, 'ECHILD')) return { kind: 'exited', code: 0 };
    throw e;
  }
}

/** PTRACE_SEIZE + PTRACE_INTERRUPT. Undefined when the thread exited first. */
export function seizeThread(pid: number, tid: number, options: number): TracedThread | undefined {
  try {
    ptraceSeize(tid, options);
  } catch (e) {
    if (isErrno(e, 'ESRCH')) return undefined;
    throw e;
  }
  const t = new TracedThread(pid, tid);
  try {
    ptraceInterrupt(tid);
  } catch (e) {
    if (!isErrno(e, 'ESRCH')) throw e;
    t.phase = 'gone';
  }
  return t;
}

/**
 * Feeds one wait status of a seized thread that is on its way to its first event stop.
 * Returns true once the thread is stopped or gone.
 */
export function onInitialStatus(t: TracedThread, s: WaitStatus): boolean {
  if (s.kind !== 'stopped') {
    t.phase = 'gone';
    return true;
  }
  if (isEventStop(s)) {
    t.phase = 'stopped';
    t.groupStopped = s.signal !== 5;
    return true;
  }
  // A signal-delivery-stop consumed our interrupt: ask again, and let the signal go on to the
  // program exactly as it would have without us.
  const sig = isSignalDeliveryStop(s) ? s.signal : 0;
  try {
    ptraceInterrupt(t.tid);
    ptraceCont(t.tid, sig);
  } catch (e) {
    if (!isErrno(e, 'ESRCH')) throw e;
    t.phase = 'gone';
    return true;
  }
  return false;
}

/**
 * Waits for the next event stop of a thread that is running under our trace. Signals met on
 * the way are not delivered: faults (our registers caused them) are returned, others are
 * pushed on `requeue` to be re-queued after the restore.
 */
function waitEventStop(t: TracedThread, timeoutMs: number, what: string, requeue: number[]): number[] {
  const deadline = performance.now() + timeoutMs;
  const faults: number[] = [];
  for (;;) {
    const s = pollStatus(t, deadline);
    if (s === undefined) throw stopTimeout(t.pid, t.tid, timeoutMs, threadState(t.pid, t.tid), what);
    if (s.kind !== 'stopped') {
      t.phase = 'gone';
      throw threadExited(t.pid, t.tid, what);
    }
    if (isEventStop(s)) return faults;
    if (isSignalDeliveryStop(s)) (FAULT_SIGNALS.has(s.signal) ? faults : requeue).push(s.signal);
    // Any other stop consumed the pending interrupt: ask again.
    ptraceInterrupt(t.tid);
    ptraceCont(t.tid, 0);
  }
}

/** Runs the thread from its current stop to the next syscall-stop, skipping event stops. */
function runToSyscallStop(t: TracedThread, timeoutMs: number, what: string, requeue: number[]): void {
  const deadline = performance.now() + timeoutMs;
  ptraceSyscall(t.tid, 0);
  for (let rounds = 0; ; rounds++) {
    const s = pollStatus(t, deadline);
    if (s === undefined) throw stopTimeout(t.pid, t.tid, timeoutMs, threadState(t.pid, t.tid), what);
    if (s.kind === 'killed' && s.signal === 31) {
      t.phase = 'gone';
      throw new NumapolError('ESECCOMP', `pid ${t.pid} was killed by its seccomp filter (SIGSYS) when thread ${t.tid} ran the injected syscall`, {
        details: { pid: t.pid, tid: t.tid },
      });
    }
    if (s.kind !== 'stopped') {
      t.phase = 'gone';
      throw threadExited(t.pid, t.tid, `${what} (${s.kind === 'killed' ? `killed by signal ${s.signal}` : `exit status ${s.code}`})`);
    }
    if (isSyscallStop(s)) return;
    if (isSignalDeliveryStop(s)) {
      if (FAULT_SIGNALS.has(s.signal)) {
        throw new NumapolError('EFAULT', `thread ${t.tid} of pid ${t.pid} faulted (signal ${s.signal}) ${what}`, { details: { pid: t.pid, tid: t.tid, signal: s.signal } });
      }
      requeue.push(s.signal);
    }
    if (rounds > 100) throw new NumapolError('EPROTO', `thread ${t.tid} of pid ${t.pid} keeps stopping ${what}`);
    // A group-stopped process reports one extra event stop on the first resume.
    ptraceSyscall(t.tid, 0);
  }
}

/**
 * rseq (restartable sequences): a thread stopped inside its critical section must resume at the
 * abort handler, as the kernel would make it after preemption; our injection makes the kernel
 * forget the section (it clears rseq_cs when it sees our instruction pointer).
 */
function rseqFixup(t: TracedThread, arch: Arch, saved: Buffer): Buffer {
  const cfg = getRseqConfiguration(t.tid);
  if (cfg === undefined || cfg.abiPointer === 0n) return saved;
  // struct rseq: u32 cpu_id_start, u32 cpu_id, u64 rseq_cs (pointer to struct rseq_cs).
  const head = processVmRead(t.tid, cfg.abiPointer, 16);
  if (head.length < 16) return saved;
  const csPtr = head.readBigUInt64LE(8);
  if (csPtr === 0n) return saved;
  // struct rseq_cs: u32 version, u32 flags, u64 start_ip, u64 post_commit_offset, u64 abort_ip.
  const cs = processVmRead(t.tid, csPtr, 32);
  if (cs.length < 32) return saved;
  const start = cs.readBigUInt64LE(8);
  const len = cs.readBigUInt64LE(16);
  const abort = cs.readBigUInt64LE(24);
  const ip = arch.instructionPointer(saved);
  if (ip >= start && ip - start < len) return arch.withInstructionPointer(saved, abort);
  return saved;
}

/** SIGSYS in the thread's private pending set (/proc/PID/task/TID/status SigPnd, bit 30). */
function sigsysPending(t: TracedThread): boolean {
  try {
    const m = /^SigPnd:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${t.pid}/task/${t.tid}/status`, 'utf8'));
    return m !== null && ((BigInt(`0x${m[1]}`) >> 30n) & 1n) === 1n;
  } catch {
    return false;
  }
}

/**
 * Makes a stopped thread execute one syscall at `insnAddr` and puts it back in an event stop
 * with its own registers and signal mask. Returns the raw result register (signed).
 * Throws NumapolError for transport failures; the target's errno is part of the result.
 */
export function injectSyscall(
  t: TracedThread, arch: Arch, insnAddr: bigint, nr: number, args: readonly bigint[], timeoutMs: number,
  watchSeccomp = false,
): bigint {
  if (t.phase !== 'stopped') throw new NumapolError('EINVAL', `thread ${t.tid} is ${t.phase}, not stopped`);
  const tid = t.tid;
  let saved: Buffer;
  let mask: bigint;
  try {
    saved = getRegs(tid, arch.regsSize + 64);
    mask = getSigmask(tid);
  } catch (e) {
    if (isErrno(e, 'ESRCH')) {
      t.phase = 'gone';
      throw threadExited(t.pid, tid, 'before the injected syscall');
    }
    throw e;
  }
  if (saved.length !== arch.regsSize) {
    throw new NumapolError('ECOMPAT', `thread ${tid} of pid ${t.pid} runs in 32-bit compat mode (register set of ${saved.length} bytes); only native ${arch.name} processes are supported`, {
      details: { pid: t.pid, tid },
    });
  }
  const restore = rseqFixup(t, arch, saved);
  const requeue: number[] = [];
  const sigsysPendingBefore = watchSeccomp && sigsysPending(t);
  let foreign = false;
  let result: bigint | undefined;
  let failure: unknown;
  t.phase = 'injecting';
  try {
    setSigmask(tid, ALL_SIGNALS);
    foreign = true;
    setRegs(tid, arch.injectedRegs(saved, insnAddr, nr, args));
    runToSyscallStop(t, timeoutMs, 'entering the injected syscall', requeue);
    runToSyscallStop(t, timeoutMs, 'in the injected syscall', requeue);
    result = arch.syscallResult(getRegs(tid, arch.regsSize + 64));
    if (watchSeccomp && !sigsysPendingBefore && sigsysPending(t)) {
      // SECCOMP_RET_KILL_*/TRAP skipped the call and forced SIGSYS with SA_IMMUTABLE (5.16+):
      // a tracer can no longer intercept it, so the process dies once released.
      failure = new NumapolError('ESECCOMP', `the seccomp filter of pid ${t.pid} rejected syscall ${nr} with SIGSYS: the call was not made, and the filter kills (or traps) the process when it resumes. Leave such processes alone (seccomp: 'refuse') or suspend the filter as root (seccomp: 'suspend')`, {
        details: { pid: t.pid, tid, nr },
      });
    }
  } catch (e) {
    failure = e;
  }
  // Back to an event stop before restoring: there the kernel applies its syscall-restart rules
  // to the restored registers (a thread blocked in read/futex restarts instead of seeing 512).
  try {
    if (t.phase === 'injecting' && foreign) {
      ptraceInterrupt(tid);
      ptraceCont(tid, 0);
      const faults = waitEventStop(t, timeoutMs, 'after the injected syscall', requeue);
      // A seccomp filter that rejects the call with KILL or TRAP skips it and forces SIGSYS on
      // the thread; we catch that signal here and never deliver it: the target survives.
      if (faults.includes(31)) {
        failure ??= new NumapolError('ESECCOMP', `the seccomp filter of pid ${t.pid} forbids syscall ${nr} (it answered with SIGSYS, which would have killed or trapped the program); the call was not made and the signal was not delivered`, {
          details: { pid: t.pid, tid, nr },
        });
      } else if (faults.length > 0) {
        failure ??= new NumapolError('EFAULT', `thread ${tid} of pid ${t.pid} faulted (signal ${faults[0]}) in the injected syscall; the signal was not delivered`, {
          details: { pid: t.pid, tid, signal: faults[0] },
        });
      }
    }
    if (t.phase === 'injecting') {
      setRegs(tid, restore);
      setSigmask(tid, mask);
      t.phase = 'stopped';
      for (const sig of requeue) tgkill(t.pid, tid, sig);
    }
  } catch (e) {
    if (isErrno(e, 'ESRCH') && threadState(t.pid, tid) === undefined) t.phase = 'gone';
    failure ??= e;
  }
  if (failure !== undefined) {
    if (isErrno(failure, 'ESRCH') && t.phase !== 'stopped') throw threadExited(t.pid, tid, 'during the injected syscall');
    throw failure;
  }
  if (t.phase === 'gone') throw threadExited(t.pid, tid, 'during the injected syscall');
  return result as bigint;
}

/**
 * Detaches a thread; a thread that is not in a stop (after a failure) is stopped first.
 * Returns false when it could not be detached now (still running under our trace).
 */
export function detachThread(t: TracedThread, timeoutMs: number): boolean {
  if (!t.alive) return true;
  try {
    ptraceDetach(t.tid, 0);
    t.phase = 'detached';
    return true;
  } catch (e) {
    if (!isErrno(e, 'ESRCH')) throw e;
  }
  if (threadState(t.pid, t.tid) === undefined) {
    t.phase = 'gone';
    return true;
  }
  // Not in a stop: interrupt it and wait for any stop, then detach from there.
  try {
    ptraceInterrupt(t.tid);
  } catch (e) {
    if (isErrno(e, 'ESRCH')) {
      t.phase = 'gone';
      return true;
    }
    throw e;
  }
  const s = pollStatus(t, performance.now() + timeoutMs);
  if (s === undefined) return false;
  if (s.kind !== 'stopped') {
    t.phase = 'gone';
    return true;
  }
  // At a signal-delivery-stop, detaching with the signal delivers it, as if we were never there.
  const sig = isSignalDeliveryStop(s) ? s.signal : 0;
  try {
    ptraceDetach(t.tid, sig);
  } catch (e) {
    if (!isErrno(e, 'ESRCH')) throw e;
  }
  t.phase = 'detached';
  return true;
}
