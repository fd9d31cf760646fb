/**
 * The calling thread's scheduling class and nice value. Both are per thread on Linux (pid 0 is
 * the calling thread, not the whole process), so raising the tracer thread's priority leaves
 * Node's other threads (the GC's, libuv's) as they are.
 */
import { defineErrnoMeanings } from './errno.js';
import { libcFunc } from './ffi.js';
import { failed } from './check.js';
import { PinnedBlock } from './pinned.js';
import { writeU32 } from './words.js';

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

/** sched_getscheduler(0): the calling thread's class (SCHED_*, with SCHED_RESET_ON_FORK when set). */
export function threadPolicy(): number {
  const getscheduler = libcFunc<(pid: number) => number>('int sched_getscheduler(int)');
  const policy = getscheduler(0);
  if (policy === -1) failed('sched_getscheduler');
  return policy;
}

/** The calling thread's nice value. */
export function threadNice(): number {
  const raw = libcFunc<(nr: number, which: number, who: number) => number | bigint>('long syscall(long, long, long)');
  // The raw getpriority returns 20 - nice (never negative), so -1 is always an error.
  const prio = Number(raw(140, PRIO_PROCESS, 0));
  if (prio === -1) failed('getpriority');
  return 20 - prio;
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
