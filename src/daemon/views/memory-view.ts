/**
 * The machine's memory at a glance, for the dashboard, the metrics and `top`: every node (memory,
 * CPU use since the last look, distances) and, for the processes that rules manage plus the
 * largest others, where their memory is against where their threads run.
 */
import { CpuLoadSampler, cpuToNodeMap, hardware, largestProcesses, processPlacement, type HardwareNode, type ProcessPlacement } from '../../ops/index.js';
import { NumapolError } from '../../errors.js';
import type { Daemon } from '../daemon.js';

export interface NodeView extends HardwareNode {
  /** Busy fraction of the node's CPUs since the previous look (0 at the first). */
  readonly cpuBusy: number;
}

export interface ProcessMemoryView extends Omit<ProcessPlacement, 'threads'> {
  readonly rule: string | null;
  readonly managed: boolean;
}

export interface MemoryView {
  readonly time: string;
  readonly nodes: readonly NodeView[];
  readonly distances: readonly (readonly number[])[];
  readonly processes: readonly ProcessMemoryView[];
}

export class MemoryViews {
  private readonly cpu: CpuLoadSampler;

  constructor(
    private readonly daemon: Pick<Daemon, 'processes'>,
    private readonly root?: string,
  ) {
    this.cpu = new CpuLoadSampler(root === undefined ? {} : { root });
  }

  /** Managed processes and the `top` largest others. */
  look(top: number): MemoryView {
    const ro = this.root === undefined ? {} : { root: this.root };
    const hw = hardware(ro);
    const cpuToNode = cpuToNodeMap(ro);
    const load = this.cpu.sample(cpuToNode);
    const managed = new Map(this.daemon.processes().filter((p) => p.state === 'managed').map((p) => [p.pid, p.rule] as const));
    const pids = new Set<number>([...managed.keys(), ...largestProcesses(top, ro).map((p) => p.pid)]);
    const processes: ProcessMemoryView[] = [];
    for (const pid of pids) {
      try {
        const { threads: _threads, ...p } = processPlacement(pid, { ...ro, cpuToNode, maxThreads: 256 });
        processes.push({ ...p, rule: managed.get(pid) ?? null, managed: managed.has(pid) });
      } catch (e) {
        // Gone since it was listed, or not ours to read: not shown.
        if (!(e instanceof NumapolError)) throw e;
      }
    }
    processes.sort((a, b) => b.totalBytes - a.totalBytes || a.pid - b.pid);
    return { time: new Date().toISOString(), nodes: hw.nodes.map((n) => ({ ...n, cpuBusy: load.perNode[n.node] ?? 0 })), distances: hw.distances, processes };
  }
}
