/**
 * CPU use per CPU and per node between two looks, from /proc/stat: numad's "free CPU per node"
 * (idle deltas), for the dashboard, the metrics and automatic placement.
 */
import { readCpuTimes, type CpuTimes } from '../../procfs/cpu-times.js';
import type { OpsOptions } from '../options.js';

export interface CpuLoad {
  /** Seconds between the two looks. */
  readonly seconds: number;
  /** CPU → busy fraction 0..1. */
  readonly perCpu: Readonly<Record<number, number>>;
  /** Node → busy fraction of its CPUs together, 0..1. */
  readonly perNode: Readonly<Record<number, number>>;
  /** Node → idle CPUs (a fraction of CPUs: 1.5 = one and a half CPUs free). */
  readonly idleCpus: Readonly<Record<number, number>>;
}

export interface CpuLoadOptions extends OpsOptions {
  /**
   * The first call measures from boot rather than nothing (as top's first frame does): for a
   * caller that shows one look, or shows the first before a second exists.
   */
  readonly sinceBoot?: boolean;
}

/** /proc/stat counts in USER_HZ, which the kernel fixes at 100 for every architecture's ABI. */
const USER_HZ = 100;

export class CpuLoadSampler {
  private last: { at: number; times: Map<number, CpuTimes> } | undefined;

  constructor(private readonly opts: CpuLoadOptions = {}) {}

  /** The load since the previous call (the first call measures nothing, all zero and seconds 0, unless `sinceBoot`). */
  sample(cpuToNode: Readonly<Record<number, number>>): CpuLoad {
    const now = performance.now();
    const times = new Map(readCpuTimes(this.opts.root ?? '/').map((t) => [t.cpu, t] as const));
    const prev = this.last ?? (this.opts.sinceBoot === true ? sinceBoot(now, times) : undefined);
    this.last = { at: now, times };
    const perCpu: Record<number, number> = {};
    const busy: Record<number, number> = {};
    const total: Record<number, number> = {};
    const cpus: Record<number, number> = {};
    for (const [cpu, t] of times) {
      const p = prev?.times.get(cpu);
      const dt = p === undefined ? 0 : t.total - p.total;
      const db = p === undefined ? 0 : t.busy - p.busy;
      perCpu[cpu] = dt > 0 ? Math.min(1, Math.max(0, db / dt)) : 0;
      const node = cpuToNode[cpu];
      if (node === undefined) continue;
      busy[node] = (busy[node] ?? 0) + Math.max(0, db);
      total[node] = (total[node] ?? 0) + Math.max(0, dt);
      cpus[node] = (cpus[node] ?? 0) + 1;
    }
    const perNode: Record<number, number> = {};
    const idleCpus: Record<number, number> = {};
    for (const n of Object.keys(cpus).map(Number)) {
      perNode[n] = (total[n] ?? 0) > 0 ? busy[n]! / total[n]! : 0;
      idleCpus[n] = cpus[n]! * (1 - perNode[n]!);
    }
    return { seconds: prev === undefined ? 0 : (now - prev.at) / 1000, perCpu, perNode, idleCpus };
  }
}

/** A look at boot: every CPU at zero ticks, as long ago as the mean CPU has counted. */
function sinceBoot(now: number, times: ReadonlyMap<number, CpuTimes>): { at: number; times: Map<number, CpuTimes> } {
  let ticks = 0;
  for (const t of times.values()) ticks += t.total;
  const seconds = times.size === 0 ? 0 : ticks / times.size / USER_HZ;
  return { at: now - seconds * 1000, times: new Map([...times.keys()].map((cpu) => [cpu, { cpu, busy: 0, total: 0 }] as const)) };
}
