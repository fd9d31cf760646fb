/**
 * Running syscalls in one stopped thread (see the design note, step 4): save its registers and
 * signal mask once, run each call at an existing syscall instruction, bring the thread back to a
 * PTRACE_EVENT_STOP and restore there, where the kernel applies its syscall-restart rules to
 * the restored registers (a thread blocked in read/futex restarts instead of seeing 512).
 *
 * Two ways to run one call:
 * - 'step' (x86_64): PTRACE_SINGLESTEP from the `syscall` instruction runs the whole syscall and
 *   stops once, at a SIGTRAP signal-delivery-stop on the way back to user mode (the kernel's
 *   single-step report at syscall exit). One stop per call instead of two. The SIGTRAP is
 *   forced on the thread; forcing a signal that is blocked or ignored would reset the target's
 *   SIGTRAP disposition to SIG_DFL, so SIGTRAP stays unblocked in the injection mask, and a
 *   target that ignores SIGTRAP gets the other way. We never deliver the trap (resume with 0).
 * - 'syscall-stops': PTRACE_SYSCALL to the syscall-entry stop, again to the exit stop. Used when
 *   stepping is not safe: SIGTRAP ignored by the target, or a seccomp filter we must watch.
 *
 * Either way the thread leaves the last call's stop with PTRACE_INTERRUPT + PTRACE_CONT: it never
 * returns to user mode with our registers, the kernel clears the trap flag it set for stepping
 * (a trap flag left set would kill the target with SIGTRAP if numapol died before detaching),
 * and the thread reaches an event stop. 'syscall-stops' restores at that event stop; 'step'
 * restores at the SIGTRAP stop just before (still inside get_signal, so the restart rules apply
 * to the restored registers all the same) and does not wait: the thread is left 'settling',
 * with its own registers, and the caller reaps its event stop while working on the next thread.
 */
import { readFileSync } from 'node:fs';
import { NumapolError } from '../errors.js';
import {
  getRseqConfiguration, getSiginfo, getSigmask, lastRegs, ptraceCont, ptraceInterrupt, ptraceSingleStep,
  ptraceSyscall, readRegs, setRegs, setSigmask, tgkill,
} from '../kernel/ptrace.js';
import { processVmRead } from '../kernel/remote-memory.js';
import { isEventStop, isSignalDeliveryStop, isSyscallStop, SIGTRAP, type WaitStatus } from '../kernel/wait.js';
import type { Arch } from './arch/index.js';
import { isErrno, stopTimeout, threadExited } from './errors.js';
import { threadState } from './preflight.js';
import { pollStatus, type TracedThread } from './thread-state.js';

export type InjectMode = 'step' | 'syscall-stops';

/** One syscall to run: number and raw arguments. */
export interface InjectCall {
  readonly nr: number;
  readonly args: readonly bigint[];
}

export interface InjectOptions {
  readonly mode: InjectMode;
  /** Longest wait for any one stop, in ms. */
  readonly timeoutMs: number;
  /** The target has a seccomp filter and we run under it: look for a SIGSYS it may force. */
  readonly watchSeccomp?: boolean;
  /** Stop the batch after the first call that returns -errno (later calls are not run). */
  readonly stopAtErrno?: boolean;
  /**
   * Called with each call's raw result while the thread is still stopped, before the next call
   * runs (e.g. to fill memory the call just mapped). Throwing ends the batch there.
   */
  readonly afterCall?: (index: number, result: bigint) => void;
}

/** Signals the kernel forces on a thread for a fault at its own instruction (never re-queued). */
const FAULT_SIGNALS = new Set([4, 5, 7, 8, 11, 31]);
const SIGSYS = 31;
const ALL_SIGNALS = (1n << 64n) - 1n;
/** Everything blocked but SIGTRAP: the single-step trap must meet an unblocked signal. */
const STEP_MASK = ALL_SIGNALS & ~(1n << BigInt(SIGTRAP - 1));

const completedResults = new WeakMap<object, bigint[]>();

/**
 * The raw results of the calls that ran before a batch failed (the error thrown by
 * injectSyscalls); empty when none ran or `e` did not come from a batch.
 */
export function completedBefore(e: unknown): readonly bigint[] {
  return (typeof e === 'object' && e !== null && completedResults.get(e)) || [];
}

/** Replaces what completedBefore(e) answers (a caller that added calls of its own hides them). */
export function setCompletedBefore(e: unknown, results: bigint[]): void {
  if (typeof e === 'object' && e !== null) completedResults.set(e, results);
}

/** True for a raw result in [-4095, -1]: the target's -errno. */
export function isErrnoResult(r: bigint): boolean {
  return r < 0n && r >= -4095n;
}

/**
 * The signals a process ignores (/proc/PID/status SigIgn): bit n-1 = signal n. Dispositions are
 * shared by all threads.
 */
export function ignoredSignals(pid: number): bigint {
  try {
    const m = /^SigIgn:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0n : BigInt(`0x${m[1]}`);
  } catch {
    return 0n;
  }
}

/** Whether single-stepping is safe for a target whose SigIgn mask is `sigIgn`. */
export function stepIsSafe(arch: Arch, sigIgn: bigint, watchSeccomp: boolean): boolean {
  if (arch.name !== 'x86_64' || watchSeccomp) return false;
  return ((sigIgn >> BigInt(SIGTRAP - 1)) & 1n) === 0n;
}

function seccompKilled(t: TracedThread, nr: number): NumapolError {
  return new NumapolError('ESECCOMP', `pid ${t.pid} was killed by its seccomp filter (SIGSYS) when thread ${t.tid} ran the injected syscall ${nr}`, {
    details: { pid: t.pid, tid: t.tid },
  });
}

/** A status that is not a stop: the thread died. */
function died(t: TracedThread, s: WaitStatus, what: string, nr: number): NumapolError {
  t.phase = 'gone';
  if (s.kind === 'killed' && s.signal === SIGSYS) return seccompKilled(t, nr);
  return threadExited(t.pid, t.tid, `${what} (${s.kind === 'killed' ? `killed by signal ${s.signal}` : s.kind === 'exited' ? `exit status ${s.code}` : 'stopped'})`);
}

function faulted(t: TracedThread, signal: number, what: string): NumapolError {
  return new NumapolError('EFAULT', `thread ${t.tid} of pid ${t.pid} faulted (signal ${signal}) ${what}; the signal was not delivered`, {
    details: { pid: t.pid, tid: t.tid, signal },
  });
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
function runToSyscallStop(t: TracedThread, timeoutMs: number, what: string, nr: number, requeue: number[]): void {
  const deadline = performance.now() + timeoutMs;
  ptraceSyscall(t.tid, 0);
  for (let rounds = 0; ; rounds++) {
    const s = pollStatus(t, deadline);
    if (s === undefined) throw stopTimeout(t.pid, t.tid, timeoutMs, threadState(t.pid, t.tid), what);
    if (s.kind !== 'stopped') throw died(t, s, what, nr);
    if (isSyscallStop(s)) return;
    if (isSignalDeliveryStop(s)) {
      if (FAULT_SIGNALS.has(s.signal)) throw faulted(t, s.signal, what);
      requeue.push(s.signal);
    }
    if (rounds > 100) throw new NumapolError('EPROTO', `thread ${t.tid} of pid ${t.pid} keeps stopping ${what}`);
    // A group-stopped process reports one extra event stop on the first resume.
    ptraceSyscall(t.tid, 0);
  }
}

/**
 * Single-steps the `syscall` instruction at `insn` (registers already set) and returns the raw
 * result. Event stops met first (a group-stopped process reports one on resume) are stepped
 * again; the call has run once the thread reports SIGTRAP with its IP just past the
 * instruction.
 */
function stepSyscall(t: TracedThread, arch: Arch, insn: bigint, nr: number, timeoutMs: number, requeue: number[]): bigint {
  const what = `in the injected syscall ${nr}`;
  const deadline = performance.now() + timeoutMs;
  const after = insn + BigInt(arch.syscallInsn.length);
  ptraceSingleStep(t.tid, 0);
  for (let rounds = 0; ; rounds++) {
    const s = pollStatus(t, deadline);
    if (s === undefined) throw stopTimeout(t.pid, t.tid, timeoutMs, threadState(t.pid, t.tid), what);
    if (s.kind !== 'stopped') throw died(t, s, what, nr);
    if (isSignalDeliveryStop(s)) {
      if (s.signal === SIGTRAP) {
        const len = readRegs(t.tid, arch.regsSize);
        const regs = lastRegs(len);
        const ip = arch.instructionPointer(regs);
        const result = arch.syscallResult(regs);
        // A SIGTRAP sent by a process (si_code <= 0) is the program's: give it back later.
        if (getSiginfo(t.tid).code <= 0) requeue.push(SIGTRAP);
        if (ip === after) return result;
        if (ip !== insn) {
          throw new NumapolError('EPROTO', `thread ${t.tid} of pid ${t.pid} stopped at 0x${ip.toString(16)} ${what}, expected 0x${after.toString(16)}`, {
            details: { pid: t.pid, tid: t.tid },
          });
        }
        // Trapped before running the instruction (a SIGTRAP from elsewhere): step again.
      } else if (FAULT_SIGNALS.has(s.signal)) {
        throw s.signal === SIGSYS
          ? new NumapolError('ESECCOMP', `the seccomp filter of pid ${t.pid} forbids syscall ${nr} (it answered with SIGSYS, which would have killed or trapped the program); the call was not made and the signal was not delivered`, {
            details: { pid: t.pid, tid: t.tid, nr },
          })
          : faulted(t, s.signal, what);
      } else {
        // SIGSTOP and the like cannot be blocked: take them out of the way, re-queue later.
        requeue.push(s.signal);
      }
    }
    if (rounds > 100) throw new NumapolError('EPROTO', `thread ${t.tid} of pid ${t.pid} keeps stopping ${what}`);
    ptraceSingleStep(t.tid, 0);
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
 * Makes a stopped thread execute `calls` in order at `insnAddr`, with one save and one restore
 * of its registers and signal mask, and puts it back in an event stop. Returns the raw result
 * register (signed) of each call run: -4095..-1 is the target's -errno, a result and not a
 * failure. Throws NumapolError for transport failures; `completedBefore(error)` then gives the
 * results of the calls that ran.
 */
export function injectSyscalls(
  t: TracedThread, arch: Arch, insnAddr: bigint, calls: readonly InjectCall[], opts: InjectOptions,
): bigint[] {
  if (t.phase === 'settling') settleThread(t, opts.timeoutMs);
  if (t.phase !== 'stopped') throw new NumapolError('EINVAL', `thread ${t.tid} is ${t.phase}, not stopped`);
  const tid = t.tid;
  const { timeoutMs, mode } = opts;
  const watchSeccomp = opts.watchSeccomp ?? false;
  let saved: Buffer;
  let mask: bigint;
  try {
    const len = readRegs(tid, arch.regsSize + 64);
    saved = Buffer.from(lastRegs(len));
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
  const results: bigint[] = [];
  const sigsysPendingBefore = watchSeccomp && sigsysPending(t);
  let foreign = false;
  let failure: unknown;
  let nr = calls[0]?.nr ?? -1;
  t.phase = 'injecting';
  try {
    setSigmask(tid, mode === 'step' ? STEP_MASK : ALL_SIGNALS);
    foreign = true;
    for (const call of calls) {
      nr = call.nr;
      setRegs(tid, arch.injectedRegs(saved, insnAddr, call.nr, call.args));
      let r: bigint;
      if (mode === 'step') {
        r = stepSyscall(t, arch, insnAddr, call.nr, timeoutMs, requeue);
      } else {
        runToSyscallStop(t, timeoutMs, `entering the injected syscall ${call.nr}`, call.nr, requeue);
        runToSyscallStop(t, timeoutMs, `in the injected syscall ${call.nr}`, call.nr, requeue);
        readRegs(tid, arch.regsSize);
        r = arch.syscallResult(lastRegs(arch.regsSize));
      }
      if (watchSeccomp && !sigsysPendingBefore && sigsysPending(t)) {
        // SECCOMP_RET_KILL_*/TRAP skipped the call and forced SIGSYS with SA_IMMUTABLE (5.16+):
        // a tracer can no longer intercept it, so the process dies once released.
        throw new NumapolError('ESECCOMP', `the seccomp filter of pid ${t.pid} rejected syscall ${call.nr} with SIGSYS: the call was not made, and the filter kills (or traps) the process when it resumes. Leave such processes alone (seccomp: 'refuse') or suspend the filter as root (seccomp: 'suspend')`, {
          details: { pid: t.pid, tid, nr: call.nr },
        });
      }
      results.push(r);
      opts.afterCall?.(results.length - 1, r);
      if (opts.stopAtErrno && isErrnoResult(r)) break;
    }
  } catch (e) {
    failure = e;
  }
  if (failure === undefined && mode === 'step') {
    // At the last call's SIGTRAP stop, inside get_signal: restoring here is as good as at an
    // event stop (the restart rules run when get_signal returns), and the interrupt makes the
    // thread settle into an event stop without going back to user mode. The caller reaps that
    // stop later (settleThread), while it works on another thread.
    try {
      setRegs(tid, restore);
      setSigmask(tid, mask);
      for (const sig of requeue) tgkill(t.pid, tid, sig);
      ptraceInterrupt(tid);
      ptraceCont(tid, 0);
      t.phase = 'settling';
      return results;
    } catch (e) {
      if (isErrno(e, 'ESRCH') && threadState(t.pid, tid) === undefined) t.phase = 'gone';
      failure = e;
    }
  }
  // Back to an event stop before restoring: there the kernel applies its syscall-restart rules
  // to the restored registers. CONT also clears the trap flag the kernel set for stepping.
  try {
    if (t.phase === 'injecting' && foreign) {
      ptraceInterrupt(tid);
      ptraceCont(tid, 0);
      const faults = waitEventStop(t, timeoutMs, 'after the injected syscall', requeue);
      // A seccomp filter that rejects the call with KILL or TRAP skips it and forces SIGSYS on
      // the thread; we catch that signal here and never deliver it: the target survives.
      if (faults.includes(SIGSYS)) {
        failure ??= new NumapolError('ESECCOMP', `the seccomp filter of pid ${t.pid} forbids syscall ${nr} (it answered with SIGSYS, which would have killed or trapped the program); the call was not made and the signal was not delivered`, {
          details: { pid: t.pid, tid, nr },
        });
      } else if (faults.length > 0) {
        failure ??= faulted(t, faults[0] as number, 'in the injected syscall');
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
  if (failure === undefined && t.phase === 'gone') failure = threadExited(t.pid, tid, 'during the injected syscall');
  if (failure !== undefined) {
    const err = isErrno(failure, 'ESRCH') && t.phase !== 'stopped' ? threadExited(t.pid, tid, 'during the injected syscall') : failure;
    if (typeof err === 'object' && err !== null) completedResults.set(err, results);
    throw err;
  }
  return results;
}

/**
 * Waits for a thread left 'settling' by injectSyscalls to reach its event stop (it runs only
 * kernel code, with its own registers, on the way). Signals met on the way are re-queued.
 * Throws ETHREADEXIT if it died meanwhile (its calls had run).
 */
export function settleThread(t: TracedThread, timeoutMs: number): void {
  if (t.phase !== 'settling') return;
  const requeue: number[] = [];
  try {
    const faults = waitEventStop(t, timeoutMs, 'after the injected syscalls', requeue);
    t.phase = 'stopped';
    for (const sig of [...faults, ...requeue]) tgkill(t.pid, t.tid, sig);
  } catch (e) {
    if (t.phase === 'settling' && threadState(t.pid, t.tid) === undefined) t.phase = 'gone';
    if (isErrno(e, 'ESRCH') && t.phase === 'gone') throw threadExited(t.pid, t.tid, 'after the injected syscalls');
    throw e;
  }
}
