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

export class CpuLoadSampler {
  private last: { at: number; times: Map<number, CpuTimes> } | undefined;

  constructor(private readonly opts: OpsOptions = {}) {}

  /** The load since the previous call (the first call measures nothing: all zero, seconds 0). */
  sample(cpuToNode: Readonly<Record<number, number>>): CpuLoad {
    const now = performance.now();
    const times = new Map(readCpuTimes(this.opts.root ?? '/').map((t) => [t.cpu, t] as const));
    const prev = this.last;
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
