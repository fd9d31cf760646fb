/** The thread ids of a running process, for callers above procfs (the daemon). */
import { listThreads } from '../procfs/tasks.js';
import type { OpsOptions } from './options.js';

/** Live tids of `pid`, ascending (ProcessGoneError when it is gone). */
export function threadIds(pid: number, opts: OpsOptions = {}): number[] {
  return listThreads(pid, opts.root === undefined ? {} : { root: opts.root });
}
