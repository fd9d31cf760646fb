/**
 * The cpuset a process may use: Mems_allowed_list and Cpus_allowed_list of /proc/PID/status.
 * (The status fields are what the kernel enforces for the task; cgroup files can lag behind.)
 */
import { readStatus } from '../procfs/status.js';
import type { ProcOptions } from '../procfs/read.js';

export interface Cpuset {
  /** Nodes the task may allocate memory on. */
  mems: number[];
  cpus: number[];
}

/** Cpuset of a process (or of one thread with `tid`). Throws ProcessGoneError when it is gone. */
export function readCpuset(pid: number, opts: ProcOptions = {}): Cpuset {
  const st = readStatus(pid, opts);
  return { mems: st.memsAllowed, cpus: st.cpusAllowed };
}
