/**
 * Threads of a process: /proc/PID/task/TID.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { procDir, procError, type ProcOptions } from './read.js';

/** Thread ids of `pid`, ascending (the main thread's tid equals pid). Throws ProcessGoneError. */
export function listThreads(pid: number, opts: Pick<ProcOptions, 'root'> = {}): number[] {
  const dir = join(procDir(opts.root), String(pid), 'task');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw procError(e, pid, 'task', { root: opts.root });
  }
  const tids: number[] = [];
  for (const n of names) {
    const t = Number(n);
    if (n !== '' && Number.isInteger(t) && t > 0) tids.push(t);
  }
  return tids.sort((a, b) => a - b);
}
