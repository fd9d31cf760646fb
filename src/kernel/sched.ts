/**
 * The calling thread's scheduling class and nice value. Both are per thread on Linux (pid 0 is
 * the calling thread, not the whole process), so raising the tracer thread's priority leaves
 * Node's other threads (the GC's, libuv's) as they are.
 */
import { defineErrnoMeanings } from './errno.js';
import { libcFunc } from './ffi.js';
import { failed } from './check.js';
import { PinnedBlock } from './pinned.js';
import { readI32, writeU32 } from './words.js';

export const SCHED_OTHER = 0;
export const SCHED_FIFO = 1;
export const SCHED_RR = 2;
export const SCHED_BATCH = 3;
export const SCHED_IDLE = 5;
/** Children forked while the class is raised start with SCHED_OTHER and a nice value of at least 0. */
export const SCHED_RESET_ON_FORK = 0x40000000;

const PRIO_PROCESS = 0;

const PRIORITY = {
  EPERM: 'not allowed: a real-time class, or a nice value below the current one, needs CAP_SYS_NICE or RLIMIT_RTPRIO / RLIMIT_NICE',
  EACCES: 'not allowed: a nice value below the current one needs CAP_SYS_NICE or RLIMIT_NICE',
  EINVAL: 'bad scheduling class or priority',
};
defineErrnoMeanings('sched_setscheduler', PRIORITY);
defineErrnoMeanings('setpriority', PRIORITY);

let param: PinnedBlock | undefined;

export interface ThreadScheduling {
  /** SCHED_* (without SCHED_RESET_ON_FORK). */
  readonly policy: number;
  /** Real-time priority (0 for the normal classes). */
  readonly priority: number;
  /** Nice value, -20..19 (the normal classes). */
  readonly nice: number;
  readonly resetOnFork: boolean;
}

/** The calling thread's scheduling class, real-time priority and nice value. */
export function threadScheduling(): ThreadScheduling {
  const getscheduler = libcFunc<(pid: number) => number>('int sched_getscheduler(int)');
  const getparam = libcFunc<(pid: number, p: number) => number>('int sched_getparam(int, uintptr_t)');
  const raw = libcFunc<(nr: number, which: number, who: number) => number | bigint>('long syscall(long, long, long)');
  const p = (param ??= new PinnedBlock(8));
  const policy = getscheduler(0);
  if (policy === -1) failed('sched_getscheduler');
  if (getparam(0, p.addr) === -1) failed('sched_getparam');
  // The raw getpriority returns 20 - nice (never negative), so -1 is always an error.
  const prio = Number(raw(140, PRIO_PROCESS, 0));
  if (prio === -1) failed('getpriority');
  return { policy: policy & ~SCHED_RESET_ON_FORK, priority: readI32(p.buf, 0), nice: 20 - prio, resetOnFork: (policy & SCHED_RESET_ON_FORK) !== 0 };
}

/** sched_setscheduler(0, policy, {priority}) for the calling thread. */
export function setThreadScheduler(policy: number, priority: number): void {
  const fn = libcFunc<(pid: number, policy: number, p: number) => number>('int sched_setscheduler(int, int, uintptr_t)');
  const p = (param ??= new PinnedBlock(8));
  writeU32(p.buf, 0, priority);
  if (fn(0, policy, p.addr) === -1) failed('sched_setscheduler', `policy ${policy}, priority ${priority}`);
}

/** setpriority(PRIO_PROCESS, 0, nice) for the calling thread. */
export function setThreadNice(nice: number): void {
  const fn = libcFunc<(which: number, who: number, prio: number) => number>('int setpriority(int, int, int)');
  if (fn(PRIO_PROCESS, 0, nice) === -1) failed('setpriority', `nice ${nice}`);
}
