/**
 * While a process is stopped, the tracer thread must not wait for a CPU behind the target's
 * own runnable threads: on a saturated machine a stop that takes 30 ms on an idle one took 84
 * (300 threads, 30 of them computing, 2 cores). So the tracer thread raises its own priority
 * for the operation and drops it back at the end: SCHED_FIFO at the lowest real-time priority
 * when allowed (root, CAP_SYS_NICE, or RLIMIT_RTPRIO >= 1), else the lowest nice value allowed
 * (CAP_SYS_NICE or RLIMIT_NICE), else nothing. Only this thread changes (scheduling is per
 * thread on Linux), with SCHED_RESET_ON_FORK so that nothing it starts inherits the class.
 *
 * A real-time thread never yields the CPU to normal ones by sched_yield, so while boosted the
 * engine waits for its tracees with short sleeps instead (thread-state.ts pollStatus): a tracee
 * woken on this CPU runs while the tracer sleeps, and the tracer wakes ahead of every normal
 * thread when its sleep ends.
 */
import {
  SCHED_FIFO, SCHED_OTHER, SCHED_RESET_ON_FORK, setThreadNice, setThreadScheduler, threadScheduling, type ThreadScheduling,
} from '../kernel/sched.js';
import { setPollMode } from './thread-state.js';

/** How the tracer thread was raised: real-time, a lower nice value, not at all, or not asked to. */
export type SchedulingBoost = 'fifo' | 'nice' | 'none' | 'off';

const NICE_STEPS = [-20, -15, -10, -5, -1];

/** What worked last time: permissions do not change between operations. */
let learned: { how: 'fifo' } | { how: 'nice'; nice: number } | { how: 'none' } | undefined;

export interface Boost {
  readonly how: SchedulingBoost;
  /** Puts the thread's scheduling back as it was. */
  restore(): void;
}

const NOTHING: Boost = { how: 'off', restore: () => undefined };

function tryFifo(): boolean {
  try {
    setThreadScheduler(SCHED_FIFO | SCHED_RESET_ON_FORK, 1);
    return true;
  } catch {
    return false;
  }
}

function tryNice(nice: number, was: number): boolean {
  if (nice >= was) return false;
  try {
    setThreadNice(nice);
    return true;
  } catch {
    return false;
  }
}

function putBack(was: ThreadScheduling): void {
  try {
    if (was.policy !== SCHED_OTHER || was.resetOnFork) setThreadScheduler(was.policy | (was.resetOnFork ? SCHED_RESET_ON_FORK : 0), was.priority);
    else setThreadScheduler(SCHED_OTHER, 0);
  } catch {
    // Dropping a priority is always allowed; a failure here leaves the raised one.
  }
  try {
    setThreadNice(was.nice);
  } catch {
    // Raising the nice value back is allowed; lowering it was what might not be.
  }
}

/** Raises the calling thread's scheduling priority for an operation (see the module comment). */
export function boostScheduling(enabled: boolean): Boost {
  if (!enabled) return NOTHING;
  let was: ThreadScheduling;
  try {
    was = threadScheduling();
  } catch {
    return NOTHING;
  }
  // A thread that is real-time already, or that someone put in SCHED_BATCH/IDLE, is left as it is.
  if (was.policy !== SCHED_OTHER) return { how: 'none', restore: () => undefined };
  let how: SchedulingBoost = 'none';
  if (learned === undefined || learned.how === 'fifo') {
    if (tryFifo()) how = 'fifo';
  }
  if (how === 'none' && learned?.how !== 'none') {
    const steps = learned?.how === 'nice' ? [learned.nice, ...NICE_STEPS] : NICE_STEPS;
    for (const n of steps) {
      if (tryNice(n, was.nice)) {
        how = 'nice';
        learned = { how: 'nice', nice: n };
        break;
      }
    }
  }
  if (how === 'fifo') learned = { how: 'fifo' };
  if (how === 'none') {
    learned = { how: 'none' };
    return { how, restore: () => undefined };
  }
  if (how === 'fifo') setPollMode('nap');
  return {
    how,
    restore: () => {
      setPollMode('yield');
      putBack(was);
    },
  };
}
