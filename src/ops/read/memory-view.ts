/**
 * The machine's memory at a glance, for the daemon's GET /v1/memory (dashboard, metrics) and for
 * `numapol top` without a daemon: every node (memory, CPU use since the last look, distances)
 * and, for the processes a caller names (the daemon's managed ones) plus the largest others, where
 * their memory is against where their threads run.
 */
import { NumapolError } from '../../errors.js';
import { readMachine } from '../../topology/machine.js';
import { hardwareFrom, type HardwareNode } from '../hardware.js';
import type { OpsOptions } from '../options.js';
import { CpuLoadSampler } from './cpu-load.js';
import { largestProcesses } from './largest-processes.js';
import { processPlacement, type ProcessPlacement } from './process-placement.js';

export interface NodeView extends HardwareNode {
  /** Busy fraction of the node's CPUs since the previous look (0 at the first, unless sinceBoot). */
  readonly cpuBusy: number;
}

export interface ProcessMemoryView extends Omit<ProcessPlacement, 'threads'> {
  /** Bytes on nodes none of its threads last ran on: totalBytes - localBytes. */
  readonly remoteBytes: number;
  /** The rule that manages it (the daemon's), null for others. */
  readonly rule: string | null;
  readonly managed: boolean;
}

export interface MemoryView {
  /** ISO 8601, when the look was taken. */
  readonly time: string;
  readonly nodes: readonly NodeView[];
  readonly distances: readonly (readonly number[])[];
  /** Largest first (totalBytes), then by pid. */
  readonly processes: readonly ProcessMemoryView[];
}

export interface MemoryViewOptions extends OpsOptions {
  /** The first look's CPU use counts from boot rather than showing 0 (see CpuLoadSampler). */
  readonly sinceBoot?: boolean;
  /** Threads read per process at most (default 256): a process with 10,000 threads costs 256 reads. */
  readonly maxThreads?: number;
}

/** Looks at the machine; keeps the previous look's CPU times so each look's CPU use is since the last. */
export class MemoryViewSampler {
  private readonly cpu: CpuLoadSampler;

  constructor(private readonly opts: MemoryViewOptions = {}) {
    this.cpu = new CpuLoadSampler({ ...(opts.root === undefined ? {} : { root: opts.root }), ...(opts.sinceBoot ? { sinceBoot: true } : {}) });
  }

  /** The processes of `managed` (pid → rule) and the `top` largest others by resident memory. */
  look(top: number, managed: ReadonlyMap<number, string | null> = new Map()): MemoryView {
    const ro = this.opts.root === undefined ? {} : { root: this.opts.root };
    const machine = readMachine(ro);
    const hw = hardwareFrom(machine);
    const load = this.cpu.sample(machine.cpuToNode);
    const pids = new Set<number>([...managed.keys(), ...largestProcesses(top, ro).map((p) => p.pid)]);
    const processes: ProcessMemoryView[] = [];
    for (const pid of pids) {
      try {
        const { threads: _threads, ...p } = processPlacement(pid, { ...ro, cpuToNode: machine.cpuToNode, maxThreads: this.opts.maxThreads ?? 256 });
        processes.push({ ...p, remoteBytes: p.totalBytes - p.localBytes, rule: managed.get(pid) ?? null, managed: managed.has(pid) });
      } catch (e) {
        // Gone since it was listed, or not ours to read: not shown.
        if (!(e instanceof NumapolError)) throw e;
      }
    }
    processes.sort((a, b) => b.totalBytes - a.totalBytes || a.pid - b.pid);
    return { time: new Date().toISOString(), nodes: hw.nodes.map((n) => ({ ...n, cpuBusy: load.perNode[n.node] ?? 0 })), distances: hw.distances, processes };
  }
}
