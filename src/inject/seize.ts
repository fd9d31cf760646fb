/**
 * Stops every thread of a process (CRIU's collect_threads idea): seize and interrupt each tid
 * in /proc/PID/task, wait until all of them stop, and list the tasks again; a pass that finds
 * no new tid is conclusive, since a stopped thread creates no threads.
 */
import { performance } from 'node:perf_hooks';
import { ProcessGoneError } from '../errors.js';
import { ProcDir } from '../kernel/proc-dir.js';
import { isErrno, stopTimeout } from './errors.js';
import { seizeRefusal, threadState, zombieError } from './preflight.js';
import { onInitialStatus, pollOnce, seizeThread, waitStep, type TracedThread } from './thread-state.js';

export interface SkippedThread {
  tid: number;
  reason: 'exited' | 'zombie';
}

export interface SeizeResult {
  /** Every thread we traced, in discovery order (some may be 'gone'). */
  threads: TracedThread[];
  skipped: SkippedThread[];
  passes: number;
}

/** /proc/PID/task, open for the whole session: listed at least twice, closed after detach. */
export function openTasks(pid: number): ProcDir {
  try {
    return new ProcDir(`/proc/${pid}/task`);
  } catch (e) {
    throw new ProcessGoneError(pid, { cause: e });
  }
}

function listTids(pid: number, tasks: ProcDir): number[] {
  try {
    return tasks.numbers();
  } catch (e) {
    throw new ProcessGoneError(pid, { cause: e });
  }
}

/**
 * Seizes and stops all threads. On failure the threads seized so far are in `into`, for the
 * caller's cleanup (it must detach them whatever happens).
 */
export function seizeAll(
  pid: number, tasks: ProcDir, options: number, timeoutMs: number, into: TracedThread[], whileWaiting?: () => void,
): SeizeResult {
  const known = new Set<number>();
  const skipped: SkippedThread[] = [];
  let passes = 0;
  for (;;) {
    passes++;
    const fresh = listTids(pid, tasks).filter((tid) => !known.has(tid));
    if (fresh.length === 0) break;
    const waiting: TracedThread[] = [];
    for (let i = 0; i < fresh.length; i++) {
      const tid = fresh[i]!;
      known.add(tid);
      // No /proc read per thread here (it costs more than the seize): a thread that exited
      // answers ESRCH, one that is exiting or a zombie leader answers EPERM, looked at then.
      let t: TracedThread | undefined;
      try {
        t = seizeThread(pid, tid, options);
      } catch (e) {
        if (isErrno(e, 'EPERM')) {
          // PTRACE_SEIZE answers EPERM for a task whose exit has begun (exit_state set): with
          // threads created and ending all the time this is common, and not a permission
          // problem. Such a thread now reads as a zombie or is gone. A zombie leader (its
          // process lives on in other threads) runs no code: leave it.
          const now = threadState(pid, tid);
          if (now === undefined || now === 'Z' || now === 'X') {
            skipped.push({ tid, reason: now === 'Z' && tid === pid ? 'zombie' : 'exited' });
            continue;
          }
          throw seizeRefusal(pid, tid, e);
        }
        throw e;
      }
      if (t === undefined) {
        skipped.push({ tid, reason: 'exited' });
        continue;
      }
      into.push(t);
      waiting.push(t);
    }
    awaitInitialStops(pid, waiting, timeoutMs, skipped, whileWaiting);
  }
  if (!into.some((t) => t.alive)) {
    // A process that exited and was not reaped: its leader is all that is left, as a zombie.
    if (skipped.some((s) => s.tid === pid && s.reason === 'zombie')) throw zombieError(pid);
    throw new ProcessGoneError(pid, { details: { skipped } });
  }
  return { threads: into, skipped, passes };
}

/**
 * Waits until every thread of `waiting` has stopped. `whileWaiting` runs before the first poll
 * and between polls while some are still on their way: a thread on another CPU takes tens of
 * microseconds to stop after PTRACE_INTERRUPT, and work that only reads threads already stopped
 * (or none) can be done meanwhile instead of after.
 */
function awaitInitialStops(pid: number, waiting: TracedThread[], timeoutMs: number, skipped: SkippedThread[], whileWaiting?: () => void): void {
  const deadline = performance.now() + timeoutMs;
  let pending = waiting.filter((t) => t.phase === 'seized');
  const spinUntil = performance.now() + 5;
  if (pending.length > 0) whileWaiting?.();
  while (pending.length > 0) {
    pending = pending.filter((t) => {
      const s = pollOnce(t);
      return s === undefined || !onInitialStatus(t, s);
    });
    if (pending.length === 0) break;
    if (performance.now() > deadline) {
      // A thread that turned zombie meanwhile never stops: that is fine, it runs no code.
      const stuck = pending.filter((t) => threadState(pid, t.tid) !== 'Z');
      for (const t of pending) {
        if (!stuck.includes(t)) {
          t.phase = 'gone';
          skipped.push({ tid: t.tid, reason: 'zombie' });
        }
      }
      const first = stuck[0];
      if (first !== undefined) {
        throw stopTimeout(pid, first.tid, timeoutMs, threadState(pid, first.tid), `after PTRACE_INTERRUPT (${stuck.length} thread(s) still running)`);
      }
      break;
    }
    whileWaiting?.();
    waitStep(spinUntil, performance.now());
  }
  for (let i = 0; i < waiting.length; i++) {
    const t = waiting[i]!;
    if (t.phase === 'gone' && !skipped.some((s) => s.tid === t.tid)) skipped.push({ tid: t.tid, reason: 'exited' });
  }
}
