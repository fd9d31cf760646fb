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
 * engine's waits for its tracees step down to the normal class for each yield and back
 * (stepDown): a tracee woken on this CPU runs then, and the tracer is back ahead of every
 * normal thread right after.
 */
import {
  SCHED_FIFO, SCHED_OTHER, SCHED_RESET_ON_FORK, setThreadNice, setThreadScheduler, threadNice, threadPolicy,
} from '../kernel/sched.js';
import { schedYield } from '../kernel/wait.js';
import { setRealtimeYield } from './thread-state.js';

/** How the tracer thread was raised: real-time, a lower nice value, not at all, or not asked to. */
export type SchedulingBoost = 'fifo' | 'nice' | 'none' | 'off';

const NICE_STEPS = [-20, -15, -10, -5, -1];

/** What worked last time: permissions do not change between operations. */
let learned: { how: 'fifo' } | { how: 'nice'; nice: number } | { how: 'none' } | undefined;

export interface Boost {
  readonly how: SchedulingBoost;
  /** Drops the raised priority for a while (the target's threads are all stopped: none competes). */
  lower(): void;
  /** Raises it again (threads about to be released compete again as each one goes). */
  raise(): void;
  /** Puts the thread's scheduling back as it was. */
  restore(): void;
}

const NOTHING: Boost = { how: 'off', lower: () => undefined, raise: () => undefined, restore: () => undefined };

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

/**
 * A real-time thread's sched_yield: back to the normal class for one yield, so that a tracee
 * woken on this CPU runs now, then real-time again. Two system calls around the yield, where a
 * sleep would cost a timer's programming and firing (tens of µs in a VM) and wake the tracer
 * late.
 */
function stepDown(): void {
  try {
    setThreadScheduler(SCHED_OTHER, 0);
  } catch {
    // Stays real-time: the yield below then lets only real-time threads run.
  }
  schedYield();
  // Refused now (RLIMIT_RTPRIO lowered meanwhile): the waits of this operation yield normally.
  if (!tryFifo()) setRealtimeYield(undefined);
}

/**
 * Raises the calling thread's scheduling priority for an operation (see the module comment).
 * The session lowers it while every thread of the target is stopped: then none of them
 * competes, and each of a real-time tracer's waits would cost two more system calls (stepDown).
 * One system call reads the thread's class, one raises it, one drops it: in a VM each costs
 * microseconds.
 */
export function boostScheduling(enabled: boolean): Boost {
  if (!enabled) return NOTHING;
  try {
    // A thread that is real-time already, or that someone put in SCHED_BATCH/IDLE, is left as it is.
    if (threadPolicy() !== SCHED_OTHER) return { ...NOTHING, how: 'none' };
  } catch {
    return NOTHING;
  }
  let how: SchedulingBoost = 'none';
  let was = 0;
  let nice = 0;
  if (learned === undefined || learned.how === 'fifo') {
    if (tryFifo()) how = 'fifo';
  }
  if (how === 'none' && learned?.how !== 'none') {
    try {
      was = threadNice();
    } catch {
      return NOTHING;
    }
    const steps = learned?.how === 'nice' ? [learned.nice, ...NICE_STEPS] : NICE_STEPS;
    for (const n of steps) {
      if (tryNice(n, was)) {
        how = 'nice';
        nice = n;
        break;
      }
    }
  }
  learned = how === 'fifo' ? { how } : how === 'nice' ? { how, nice } : { how: 'none' };
  if (how === 'none') return { ...NOTHING, how };
  let raised = true;
  const up = (): void => {
    if (raised) return;
    raised = true;
    if (how === 'fifo' ? tryFifo() : tryNice(nice, was)) {
      if (how === 'fifo') setRealtimeYield(stepDown);
    }
  };
  const down = (): void => {
    if (!raised) return;
    raised = false;
    setRealtimeYield(undefined);
    try {
      // SCHED_OTHER keeps the nice value; a nice value may always go back up.
      if (how === 'fifo') setThreadScheduler(SCHED_OTHER, 0);
      else setThreadNice(was);
    } catch {
      // Left raised: nothing in the kernel refuses a drop, so this does not happen.
    }
  };
  if (how === 'fifo') setRealtimeYield(stepDown);
  return { how, lower: down, raise: up, restore: down };
}
