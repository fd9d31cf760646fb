/**
 * Measurement for automatic placement, once per interval, for the processes the caller names:
 *
 *  - per process: bytes per node (numa_maps), CPU use per node (each thread's utime + stime since
 *    the previous look, counted on the node of the CPU it last ran on), threads, cpuset (its
 *    cgroup's mems and CPUs, see ops/read/process-cpuset.ts) and task policy;
 *  - per node: total and free memory (sysfs meminfo) and idle CPUs (/proc/stat deltas).
 *
 * CPU use needs two looks: at a process's first, cpuMeasured is false (and at the sampler's first,
 * every node's idle CPU is unknown, reported as 0 with `measured` false).
 */
import { NumapolError, ProcessGoneError } from '../../errors.js';
import { CpuLoadSampler, hardware, placementFacts, processCpuset, type NumaBalancing, type PlacementFacts } from '../../ops/index.js';
import { kernelPolicy } from '../../ops/parse-kernel-policy.js';
import { readBalancing } from './balancing.js';
import type { PlacementMachine, ProcessPolicy, ProcessSample } from './model.js';

export interface PlacementSamplerOptions {
  readonly root?: string;
  /** Threads read per process at most (default 256): a process with 10,000 threads costs 256 reads. */
  readonly maxThreads?: number;
  /** The clock (ms); tests pass their own. Default performance.now. */
  readonly now?: () => number;
}

export interface PlacementSnapshot {
  /** ISO 8601, when the look was taken. */
  readonly time: string;
  /** Seconds since the previous look (0 at the first). */
  readonly seconds: number;
  /** False at the sampler's first look: idle CPU per node is not known yet. */
  readonly measured: boolean;
  readonly machine: PlacementMachine;
  /** The processes asked about that could be read, in the order asked. */
  readonly processes: readonly ProcessSample[];
  /** Pids asked about that are gone (or zombies). */
  readonly gone: readonly number[];
  /** Pids that could not be read (not allowed, a kernel without numa_maps), with why. */
  readonly unreadable: readonly { readonly pid: number; readonly error: string }[];
  readonly balancing: NumaBalancing;
}

/** /proc counts utime and stime in USER_HZ, which the kernel fixes at 100 for every architecture's ABI. */
const USER_HZ = 100;

interface Previous {
  readonly start: number;
  readonly at: number;
  readonly ticks: ReadonlyMap<number, number>;
  readonly waits: ReadonlyMap<number, number>;
}

export class PlacementSampler {
  private readonly cpu: CpuLoadSampler;
  private readonly previous = new Map<number, Previous>();
  private looks = 0;
  private readonly now: () => number;

  constructor(private readonly opts: PlacementSamplerOptions = {}) {
    this.cpu = new CpuLoadSampler(opts.root === undefined ? {} : { root: opts.root });
    this.now = opts.now ?? (() => performance.now());
  }

  sample(pids: Iterable<number>): PlacementSnapshot {
    const ro = this.opts.root === undefined ? {} : { root: this.opts.root };
    const hw = hardware(ro);
    const cpuToNode: Record<number, number> = {};
    for (const n of hw.nodes) for (const c of n.cpus) cpuToNode[c] = n.node;
    const load = this.cpu.sample(cpuToNode);
    const measured = this.looks++ > 0;
    const machine: PlacementMachine = {
      nodes: hw.nodes.map((n) => ({ node: n.node, cpus: n.cpus, memTotalBytes: n.memTotalBytes, memFreeBytes: n.memFreeBytes, idleCpus: measured ? (load.idleCpus[n.node] ?? 0) : 0 })),
      distances: { nodes: hw.online, rows: hw.distances },
    };
    const onlineCpus = hw.nodes.flatMap((n) => n.cpus).sort((a, b) => a - b);
    const processes: ProcessSample[] = [];
    const gone: number[] = [];
    const unreadable: { pid: number; error: string }[] = [];
    const seen = new Set<number>();
    for (const pid of pids) {
      if (seen.has(pid)) continue;
      seen.add(pid);
      try {
        const facts = placementFacts(pid, { ...ro, cpuToNode, maxThreads: this.opts.maxThreads ?? 256 });
        // A zombie has exited: its memory is gone, only its entry waits for the parent.
        if (facts.state === 'Z' || facts.state === 'X') {
          gone.push(pid);
          continue;
        }
        const cpuset = processCpuset(pid, { ...ro, onlineCpus });
        processes.push(this.toSample(facts, { mems: cpuset.mems, cpus: cpuset.cpus }, cpuset.affinity));
      } catch (e) {
        if (e instanceof ProcessGoneError) gone.push(pid);
        else if (e instanceof NumapolError) unreadable.push({ pid, error: e.message });
        else throw e;
      }
    }
    // Forget processes no longer asked about: a pid asked about again later starts afresh.
    for (const pid of [...this.previous.keys()]) if (!seen.has(pid) || gone.includes(pid)) this.previous.delete(pid);
    return { time: new Date().toISOString(), seconds: load.seconds, measured, machine, processes, gone, unreadable, balancing: readBalancing(ro) };
  }

  private toSample(f: PlacementFacts, cpuset: ProcessSample['cpuset'], affinity: readonly number[]): ProcessSample {
    const at = this.now();
    const prev = this.previous.get(f.pid);
    const same = prev !== undefined && prev.start === f.start;
    const seconds = same ? (at - prev.at) / 1000 : 0;
    const cpuMeasured = same && seconds > 0;
    const cpuPerNode: Record<number, number> = {};
    const threadsPerNode: Record<number, number> = {};
    let cpuUsed = 0;
    let cpuWanted = 0;
    let waitsKnown = true;
    const ticks = new Map<number, number>();
    const waits = new Map<number, number>();
    for (const t of f.threads) {
      ticks.set(t.tid, t.ticks);
      if (t.waitNs === undefined) waitsKnown = false;
      else waits.set(t.tid, t.waitNs);
      if (t.node < 0) continue;
      threadsPerNode[t.node] = (threadsPerNode[t.node] ?? 0) + 1;
      if (!cpuMeasured) continue;
      // A thread born since the previous look spent all its ticks in the interval.
      const before = prev.ticks.get(t.tid) ?? 0;
      const cores = Math.max(0, t.ticks - before) / USER_HZ / seconds;
      const waited = t.waitNs === undefined ? 0 : Math.max(0, t.waitNs - (prev.waits.get(t.tid) ?? 0)) / 1e9 / seconds;
      cpuWanted += Math.min(1, cores + waited);
      if (cores <= 0) continue;
      cpuPerNode[t.node] = (cpuPerNode[t.node] ?? 0) + cores;
      cpuUsed += cores;
    }
    this.previous.set(f.pid, { start: f.start, at, ticks, waits });
    return {
      pid: f.pid,
      start: f.start,
      comm: f.comm,
      bytesPerNode: f.bytesPerNode,
      totalBytes: f.totalBytes,
      cpuPerNode,
      cpuUsed,
      cpuMeasured,
      ...(cpuMeasured && waitsKnown ? { cpuWanted: Math.max(cpuUsed, cpuWanted) } : {}),
      threads: f.threadCount,
      threadsPerNode,
      cpuset,
      affinity,
      policy: policyOf(f.policyText),
    };
  }
}

export function policyOf(text: string): ProcessPolicy {
  const p = kernelPolicy(text);
  if (p === undefined) return { text, mode: 'unknown', nodes: [], balancing: false };
  return { text, mode: p.mode, nodes: p.nodes, balancing: p.flags.balancing === true };
}
