/**
 * One traced thread and the ptrace steps on it, as an explicit state machine:
 *
 *   seized ──(event stop)──▶ stopped ──inject──▶ injecting ──(back at an event stop,
 *      │                        │                 registers and mask restored)──▶ stopped
 *      │                        │                       └─(step: restored at the last trap)─▶ trapped
 *      └──────(exit)──────▶ gone ◀───────────────────┘                                         │
 *                                          detach ◀── stopped, trapped (inject again) ◀───────┘ ──▶ detached
 *
 * "stopped" means: in a PTRACE_EVENT_STOP with the thread's own registers and signal mask;
 * "trapped": in the SIGTRAP signal-delivery-stop of its last injected call, with its own
 * registers and mask back. Both are inside get_signal, so resuming either applies the kernel's
 * restart rules to the thread's own registers; we always resume with signal 0, which drops the
 * trap. Foreign registers exist only inside an Injection (injection.ts).
 */
// Node 20's global `performance` is an accessor: imported, the hot loops skip a getter call per use.
import { performance } from 'node:perf_hooks';
import {
  getRegs, ptraceCont, ptraceDetach, ptraceInterrupt, ptraceSeize,
} from '../kernel/ptrace.js';
import {
  isEventStop, isSignalDeliveryStop, schedYield, sleepSync, wait4, WNOHANG, type WaitStatus,
} from '../kernel/wait.js';
import type { Arch } from './arch/index.js';
import { isErrno } from './errors.js';
import { threadState } from './preflight.js';

export type ThreadPhase = 'seized' | 'stopped' | 'injecting' | 'trapped' | 'gone' | 'detached';

/** A thread's current rseq critical section (struct rseq_cs): [start, start+length), abort. */
export interface RseqSection {
  readonly start: bigint;
  readonly length: bigint;
  readonly abort: bigint;
}

export class TracedThread {
  phase: ThreadPhase = 'seized';
  /** The thread was in a group-stop (SIGSTOP/SIGTSTP...) when we stopped it. */
  groupStopped = false;
  /**
   * The thread's own registers and signal mask, once read at a stop. Every injection puts them
   * back exactly, so they stay true until the thread runs on its own again (after detach).
   */
  regs: Buffer | undefined;
  sigmask: bigint | undefined;
  /** Its rseq critical section as found at its first injection (null: none); undefined until then. */
  rseq: RseqSection | null | undefined;

  constructor(readonly pid: number, readonly tid: number) {}

  get alive(): boolean {
    return this.phase !== 'gone' && this.phase !== 'detached';
  }

  /** In a stop with its own registers, ready for an injection or a detach. */
  get ready(): boolean {
    return this.phase === 'stopped' || this.phase === 'trapped';
  }
}

/**
 * The thread's own registers (see TracedThread.regs): read at most once per stop. Room is left
 * past the native size, so a set of another size (a 32-bit compat task) shows as such.
 */
export function ownRegs(t: TracedThread, arch: Arch): Buffer {
  t.regs ??= getRegs(t.tid, arch.regsSize + 64);
  return t.regs;
}

/** ownRegs when they are the native set; undefined for a compat task (or when unreadable). */
export function nativeRegs(t: TracedThread, arch: Arch): Buffer | undefined {
  try {
    const regs = ownRegs(t, arch);
    return regs.length === arch.regsSize ? regs : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How a wait for a tracee's stop gives the CPU away: sched_yield for the first few ms, then
 * naps; while the tracer runs at a real-time priority, where sched_yield would not let a normal
 * thread run (boost.ts), the yield is `realtimeYield`, the boost's way to step down for a moment.
 */
let realtimeYield: (() => void) | undefined;

/** While set, waits give the CPU away through `f` (a real-time tracer); undefined: sched_yield. */
export function setRealtimeYield(f: (() => void) | undefined): void {
  realtimeYield = f;
}

/** Gives the CPU away once while waiting for tracees to stop; `spinUntil` as from waitStep's caller. */
export function waitStep(spinUntil: number, now: number): void {
  if (now >= spinUntil) sleepSync(0.2);
  else if (realtimeYield !== undefined) realtimeYield();
  else schedYield();
}

/**
 * Polls one thread for a wait status until `deadline` (performance.now() ms). A stop normally
 * comes within microseconds, so yield the CPU for the first few ms, then nap in short steps.
 */
export function pollStatus(t: TracedThread, deadline: number): WaitStatus | undefined {
  // Most polls find the stop at once: the clock is read only when one does not.
  let s = pollOnce(t);
  if (s !== undefined) return s;
  const spinUntil = performance.now() + 5;
  for (;;) {
    s = pollOnce(t);
    if (s !== undefined) return s;
    const now = performance.now();
    if (now > deadline) return undefined;
    waitStep(spinUntil, now);
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

/** A thread that is (or turned) a zombie or vanished: a traced zombie is reaped by its tracer. */
function reapIfDead(t: TracedThread): boolean {
  const state = threadState(t.pid, t.tid);
  if (state !== undefined && state !== 'Z' && state !== 'X') return false;
  // A traced thread that exited stays a zombie until its tracer waits for it.
  if (state !== undefined) pollOnce(t);
  t.phase = 'gone';
  return true;
}

/**
 * Detaches a thread, synchronously: a thread that is not in a stop (after a failure) is
 * interrupted and waited for, up to `timeoutMs`, then detached from that stop. Returns false
 * only when it did not stop in time (it is then still traced by us, running or in D state).
 */
export function detachThread(t: TracedThread, timeoutMs: number): boolean {
  if (!t.alive) return true;
  const deadline = performance.now() + timeoutMs;
  let sig = 0;
  let interrupted = false;
  for (;;) {
    try {
      ptraceDetach(t.tid, sig);
      t.phase = 'detached';
      return true;
    } catch (e) {
      if (!isErrno(e, 'ESRCH')) throw e;
    }
    if (reapIfDead(t)) return true;
    // Not in a stop: interrupt it and wait for any stop, then detach from there.
    if (!interrupted) {
      try {
        ptraceInterrupt(t.tid);
      } catch (e) {
        if (!isErrno(e, 'ESRCH')) throw e;
        if (reapIfDead(t)) return true;
      }
      interrupted = true;
    }
    const s = pollStatus(t, deadline);
    if (s === undefined) return false;
    if (s.kind !== 'stopped') {
      t.phase = 'gone';
      return true;
    }
    // At a signal-delivery-stop, detaching with the signal delivers it, as if we were never there.
    sig = isSignalDeliveryStop(s) ? s.signal : 0;
  }
}
