/**
 * /proc/PID/cgroup: one line per hierarchy, "ID:CONTROLLERS:PATH". The cgroup v2 (unified)
 * hierarchy's line is "0::PATH"; a machine on cgroup v1 only has none, a hybrid one has both.
 */
import { readProcText, type ProcOptions } from './read.js';

/**
 * The cgroup v2 path of the process ("/system.slice/x.service"), or null when the text has no
 * "0::" line. A process in a cgroup that has been removed (a zombie's) keeps the kernel's
 * " (deleted)" suffix.
 */
export function parseCgroupV2Path(text: string): string | null {
  for (const line of text.split('\n')) {
    if (line.startsWith('0::')) return line.slice(3);
  }
  return null;
}

/** Reads the cgroup v2 path of a process. Throws ProcessGoneError when it is gone. */
export function readCgroupV2Path(pid: number, opts: Pick<ProcOptions, 'root'> = {}): string | null {
  return parseCgroupV2Path(readProcText(pid, 'cgroup', opts));
}
