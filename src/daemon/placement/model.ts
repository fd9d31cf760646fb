/**
 * What automatic placement reasons about: the machine (per node memory, idle CPU, distances) and
 * each process (bytes per node, CPU use per node, cpuset, task policy), as plain data. The
 * sampler (measure.ts) fills these from /proc and /sys; tests and the benchmark make them by hand.
 */
import type { MempolicyMode } from '../../policy/model.js';

export interface PlacementNode {
  readonly node: number;
  /** The node's CPUs; empty for a memory-only node (CXL, PMEM, a guest's CPU-less node). */
  readonly cpus: readonly number[];
  readonly memTotalBytes: number;
  readonly memFreeBytes: number;
  /** CPUs' worth of idle time since the previous look: 1.5 is one and a half CPUs idle. */
  readonly idleCpus: number;
}

export interface PlacementMachine {
  readonly nodes: readonly PlacementNode[];
  /** SLIT distances: rows[i][j] from nodes[i] to nodes[j]; 10 is local. */
  readonly distances: { readonly nodes: readonly number[]; readonly rows: readonly (readonly number[])[] };
}

export interface ProcessPolicy {
  /** As numa_maps prints it ("default", "bind:2", "interleave:0-3"). */
  readonly text: string;
  /** 'unknown' when the text does not parse (a future kernel's). */
  readonly mode: MempolicyMode | 'unknown';
  readonly nodes: readonly number[];
  /** MPOL_F_NUMA_BALANCING: the kernel's NUMA balancing may move its pages within `nodes`. */
  readonly balancing: boolean;
}

export interface ProcessSample {
  readonly pid: number;
  /** Start time (clock ticks after boot): (pid, start) is the process's identity. */
  readonly start: number;
  readonly comm: string;
  readonly bytesPerNode: Readonly<Record<number, number>>;
  readonly totalBytes: number;
  /** Cores used per node since the previous look, each thread counted on the node of the CPU it last ran on. */
  readonly cpuPerNode: Readonly<Record<number, number>>;
  /** Cores used in all (1.0 = one CPU busy all the time). */
  readonly cpuUsed: number;
  /** False at the first look at a process: CPU use needs two. */
  readonly cpuMeasured: boolean;
  /**
   * Cores it would have used had it not waited on run queues (use plus run-queue wait, at most
   * one per thread); absent without schedstats. What a starved process asks of a placement.
   */
  readonly cpuWanted?: number;
  readonly threads: number;
  /** Node → threads that last ran there. */
  readonly threadsPerNode: Readonly<Record<number, number>>;
  /** Where it may be placed: its cpuset's memory nodes and CPUs. */
  readonly cpuset: { readonly mems: readonly number[]; readonly cpus: readonly number[] };
  /** Its threads' current CPU affinity, when known. */
  readonly affinity?: readonly number[];
  /** Its task policy (what most of its VMAs show). */
  readonly policy: ProcessPolicy;
}

/** The five parts of a placement's score, each 0..1, 1 best. See docs/placement.md. */
export interface ScoreParts {
  /** Share of its memory the node set can hold (free memory plus what it already has there). */
  readonly memory: number;
  /** Share of the CPU it uses that the node set's idle CPUs (plus what it already uses there) cover. */
  readonly cpu: number;
  /** 10 / the mean SLIT distance from its CPU to its memory: 1 when every access is local. */
  readonly distance: number;
  /** cpu × distance: how fast it would run, the CPU it gets times how near its memory is. */
  readonly speed: number;
  /**
   * Its memory and CPU (half each) weighted by 10 / their SLIT distance to the set: what is already
   * there counts fully, what is on a nearby node partly. 1 for staying put.
   */
  readonly locality: number;
  /** Memory and CPU left spare on the node set after placing it (half each; CPU against use / target utilisation). */
  readonly headroom: number;
}

/** Weights of the parts that are summed (cpu and distance count through speed). */
export interface ScoreWeights {
  readonly memory: number;
  readonly speed: number;
  readonly locality: number;
  readonly headroom: number;
}

/**
 * Speed dominates because it is what placement is for; locality is the cost of moving, and keeps
 * what moved where it went; headroom only breaks ties (docs/placement.md).
 */
export const DEFAULT_WEIGHTS: ScoreWeights = Object.freeze({ memory: 0.15, speed: 0.6, locality: 0.2, headroom: 0.05 });

/** A placement: where a process is now, or a candidate node set it could be moved to. */
export interface Placement {
  /**
   * Where its pages would go (nodes of its cpuset.mems), ascending. For the current placement:
   * the nodes holding its memory or running its threads.
   */
  readonly nodes: readonly number[];
  /** The node it is grown from (CPU and memory go there first); null for the current placement. */
  readonly home: number | null;
  /**
   * Nodes that would run its threads, ascending: where the plan puts its CPU demand (the home
   * alone when it needs none). For the current placement: where its threads ran.
   */
  readonly cpuNodes: readonly number[];
  /** The CPUs its affinity would be: cpuNodes' CPUs inside its cpuset. Empty for the current placement. */
  readonly cpus: readonly number[];
  /** Bytes per node: planned for a candidate, measured for the current placement. */
  readonly bytes: Readonly<Record<number, number>>;
  /** CPU demand per node (cores): planned, or measured and scaled to the demand. */
  readonly cpu: Readonly<Record<number, number>>;
  readonly parts: ScoreParts;
  /** Σ weight × part, 0..1. */
  readonly score: number;
  /** Its whole memory fits (a move is only ever made to a set that holds it all). */
  readonly fits: boolean;
  /** Bytes that would have to move (0 for the current placement). */
  readonly bytesToMove: number;
  /** Mean SLIT distance from its CPU to its memory (10 = all local). */
  readonly meanDistance: number;
  /** One line a person can check: "node 2: 3.1 GiB free for 1.0 GiB, 1.8 CPUs idle for 0.9 used, …". */
  readonly reason: string;
}
