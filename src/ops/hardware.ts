/**
 * `numapol hardware`: what `numactl --hardware` shows, and more — every node's CPUs, memory
 * (total, free, file, anon, huge page pools), the distance matrix and interleave weights.
 */
import { readMachine, type NumaMachine } from '../topology/machine.js';
import type { OpsOptions } from './options.js';

export interface HardwareNode {
  readonly node: number;
  readonly cpus: readonly number[];
  readonly memTotalBytes: number;
  readonly memFreeBytes: number;
  readonly memUsedBytes: number;
  readonly fileBytes: number;
  readonly anonBytes: number;
  readonly hugepages: readonly { sizeBytes: number; total: number; free: number }[];
  /** Weighted-interleave weight (6.9+); absent on older kernels. */
  readonly interleaveWeight?: number;
}

export interface HardwareReport {
  readonly possible: readonly number[];
  readonly online: readonly number[];
  readonly withMemory: readonly number[];
  readonly withCpu: readonly number[];
  readonly nodes: readonly HardwareNode[];
  /** distances[i][j]: from nodes[i] to nodes[j], 10 = local (SLIT). */
  readonly distances: readonly (readonly number[])[];
}

export function hardware(opts: OpsOptions = {}): HardwareReport {
  return hardwareFrom(readMachine(opts.root === undefined ? {} : { root: opts.root }));
}

export function hardwareFrom(m: NumaMachine): HardwareReport {
  return {
    possible: m.possible,
    online: m.online,
    withMemory: m.withMemory,
    withCpu: m.withCpu,
    nodes: m.nodes.map((n) => {
      const weight = m.interleaveWeights?.weights[n.id];
      return {
        node: n.id,
        cpus: n.cpus,
        memTotalBytes: n.memory.totalKiB * 1024,
        memFreeBytes: n.memory.freeKiB * 1024,
        memUsedBytes: n.memory.usedKiB * 1024,
        fileBytes: n.memory.fileKiB * 1024,
        anonBytes: n.memory.anonKiB * 1024,
        hugepages: n.memory.hugepages.map((h) => ({ sizeBytes: h.sizeKiB * 1024, total: h.total, free: h.free })),
        ...(weight === undefined ? {} : { interleaveWeight: weight }),
      };
    }),
    distances: m.distances.rows,
  };
}
