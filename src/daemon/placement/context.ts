/**
 * The machine and one process as scoring works on them: nodes by index (ids can be sparse), the
 * distance matrix by index, and the capacity a pass hands out (free memory and idle CPU per node,
 * which shrink as moves are decided so two processes are never promised the same room).
 */
import type { PlacementMachine, ProcessSample } from './model.js';

export interface MachineIndex {
  /** Node id of each index, ascending. */
  readonly ids: readonly number[];
  readonly indexOf: ReadonlyMap<number, number>;
  readonly totalBytes: readonly number[];
  readonly cpus: readonly (readonly number[])[];
  /** dist[i][j]: SLIT distance between nodes ids[i] and ids[j]. */
  readonly dist: readonly (readonly number[])[];
  /** Every CPU of the machine, ascending: to tell a cpuset that is the whole machine. */
  readonly allCpus: readonly number[];
}

/** What a pass can still hand out, per node index. */
export interface Capacity {
  readonly freeBytes: Float64Array;
  readonly idleCpus: Float64Array;
}

/**
 * n zeros. Per-process and per-candidate vectors are plain arrays: a pass makes thousands, and
 * small typed arrays cost far more to allocate and collect.
 */
export function zeros(n: number): number[] {
  const a = new Array<number>(n);
  for (let i = 0; i < n; i++) a[i] = 0;
  return a;
}

/** SLIT's local distance: the unit every distance is read against. */
export const LOCAL_DISTANCE = 10;

export function indexMachine(m: PlacementMachine): MachineIndex {
  const nodes = [...m.nodes].sort((a, b) => a.node - b.node);
  const ids = nodes.map((n) => n.node);
  const indexOf = new Map(ids.map((id, i) => [id, i] as const));
  const dist = ids.map((a) =>
    ids.map((b) => {
      const i = m.distances.nodes.indexOf(a);
      const j = m.distances.nodes.indexOf(b);
      const d = i < 0 || j < 0 ? undefined : m.distances.rows[i]?.[j];
      // Without a SLIT entry the kernel assumes 10 local, 20 remote: so do we.
      return d ?? (a === b ? LOCAL_DISTANCE : 2 * LOCAL_DISTANCE);
    }),
  );
  return {
    ids,
    indexOf,
    totalBytes: nodes.map((n) => n.memTotalBytes),
    cpus: nodes.map((n) => n.cpus),
    dist,
    allCpus: nodes.flatMap((n) => n.cpus).sort((a, b) => a - b),
  };
}

export function initialCapacity(m: PlacementMachine, ix: MachineIndex): Capacity {
  const freeBytes = new Float64Array(ix.ids.length);
  const idleCpus = new Float64Array(ix.ids.length);
  for (const n of m.nodes) {
    const i = ix.indexOf.get(n.node)!;
    freeBytes[i] = Math.max(0, n.memFreeBytes);
    idleCpus[i] = Math.max(0, Math.min(n.cpus.length, n.idleCpus));
  }
  return { freeBytes, idleCpus };
}

export function copyCapacity(c: Capacity): Capacity {
  return { freeBytes: Float64Array.from(c.freeBytes), idleCpus: Float64Array.from(c.idleCpus) };
}

/** One process by node index: what every candidate's score is computed from. */
export interface ProcessView {
  readonly sample: ProcessSample;
  /** Bytes it has on each node. */
  readonly here: number[];
  readonly size: number;
  /** Cores it uses on each node. */
  readonly own: number[];
  /** Where its CPU is, as shares summing to 1 (by CPU use, else by threads); all 0 when unknown. */
  readonly cpuShare: number[];
  /** Some share of cpuShare is known. */
  readonly anyCpu: boolean;
  /** CPU it used (cores), 0 until measured. */
  readonly use: number;
  /** CPU a placement must give it: what it uses (a new job: what it asks for). */
  readonly need: number;
  /** CPU it would like, for headroom: use / target utilisation, at most one CPU per thread (numad's request). */
  readonly demand: number;
  /** Its cpuset's memory nodes that have memory. */
  readonly memAllowed: readonly boolean[];
  /** Its cpuset's CPUs on each node. */
  readonly cpusAllowed: readonly (readonly number[])[];
  /** Bytes on nodes that carry at least 10% of its CPU, over all its bytes (1 without memory). */
  readonly localRatio: number;
  /** A job not started yet (admission): nothing is anywhere, its CPU is asked for, not used. */
  readonly fresh?: boolean;
}

const IDLE_CPU = 1e-3;

/** Run-queue wait (cores) from which a process counts as starved: it needs what it waited for. */
const STARVED = 0.2;

/** Nodes holding at least this share of a process's CPU count as where it runs (for localRatio). */
const RUNS_THERE = 0.1;

export function viewProcess(p: ProcessSample, ix: MachineIndex, targetUtilization: number): ProcessView {
  const n = ix.ids.length;
  const here = zeros(n);
  const own = zeros(n);
  const cpuShare = zeros(n);
  let size = 0;
  for (const key in p.bytesPerNode) {
    const i = ix.indexOf.get(Number(key));
    const b = p.bytesPerNode[key as unknown as number]!;
    if (i === undefined || !(b > 0)) continue;
    here[i] = b;
    size += b;
  }
  // Below a thousandth of a CPU a process is idle: rounding, not a place its threads need.
  const use = p.cpuMeasured && p.cpuUsed >= IDLE_CPU ? p.cpuUsed : 0;
  let ownSum = 0;
  if (p.cpuMeasured) {
    for (const key in p.cpuPerNode) {
      const i = ix.indexOf.get(Number(key));
      const c = p.cpuPerNode[key as unknown as number]!;
      if (i === undefined || !(c >= IDLE_CPU)) continue;
      own[i] = c;
      ownSum += c;
    }
  }
  if (ownSum > 0) {
    for (let i = 0; i < n; i++) cpuShare[i] = own[i]! / ownSum;
  } else {
    let threads = 0;
    for (const key in p.threadsPerNode) {
      const i = ix.indexOf.get(Number(key));
      const t = p.threadsPerNode[key as unknown as number]!;
      if (i === undefined || !(t > 0)) continue;
      cpuShare[i] = t;
      threads += t;
    }
    if (threads > 0) for (let i = 0; i < n; i++) cpuShare[i] = cpuShare[i]! / threads;
  }
  // A process that waits on run queues needs the CPU it waited for too: two busy processes
  // sharing one CPU each use half of it, and a placement that gives each half a CPU is no better.
  // Waits below STARVED are the ordinary jitter of a busy machine (a daemon or a shell taking its
  // CPU now and then): counting them would spread a process that has its CPU onto a second node.
  const wanted = use > 0 && p.cpuWanted !== undefined ? Math.min(Math.max(1, p.threads), p.cpuWanted) : use;
  const need = wanted - use >= STARVED ? wanted : use;
  const demand = Math.max(need, Math.min(Math.max(1, p.threads), use / targetUtilization));
  const mems = new Set(p.cpuset.mems);
  const memAllowed = ix.ids.map((id, i) => mems.has(id) && ix.totalBytes[i]! > 0);
  const cpusAllowed = allowedCpus(p.cpuset.cpus, ix);
  let local = 0;
  for (let i = 0; i < n; i++) if (cpuShare[i]! >= RUNS_THERE) local += here[i]!;
  const anyCpu = cpuShare.some((c) => c > 0);
  return { sample: p, here, size, own, cpuShare, anyCpu, use, need, demand, memAllowed, cpusAllowed, localRatio: size === 0 ? 1 : local / size };
}

/** The cpuset's CPUs on each node; the machine's own lists when the cpuset is the whole machine. */
function allowedCpus(cpus: readonly number[], ix: MachineIndex): readonly (readonly number[])[] {
  // Most processes may use every CPU: the machine's (ascending) list, compared without a Set.
  if (cpus.length === ix.allCpus.length && cpus.every((c, k) => c === ix.allCpus[k])) return ix.cpus;
  const set = new Set(cpus);
  return ix.cpus.map((list) => list.filter((c) => set.has(c)));
}
