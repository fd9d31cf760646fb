/**
 * Per-CPU time from /proc/stat ("cpuN user nice system idle iowait irq softirq steal guest
 * guest_nice", clock ticks since boot): what a CPU-use figure per CPU and per node is made of.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { procDir } from './read.js';

export interface CpuTimes {
  readonly cpu: number;
  /** Ticks doing anything but idle and iowait. */
  readonly busy: number;
  /** All ticks. */
  readonly total: number;
}

export function parseCpuTimes(text: string): CpuTimes[] {
  const out: CpuTimes[] = [];
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (m === null) continue;
    const v = m[2]!.trim().split(/\s+/).map(Number);
    // guest and guest_nice are already counted in user and nice.
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
    const total = user + nice + system + idle + iowait + irq + softirq + steal;
    out.push({ cpu: Number(m[1]), busy: total - idle - iowait, total });
  }
  return out;
}

export function readCpuTimes(root = '/'): CpuTimes[] {
  return parseCpuTimes(readFileSync(join(procDir(root), 'stat'), 'utf8'));
}
