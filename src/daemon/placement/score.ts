/**
 * The score of a placement: where a process is now, or a node set it could be moved to, computed
 * the same way for both so that "move" and "stay" compare fairly (docs/placement.md):
 *
 *   score = (0.15 memory + 0.6 speed + 0.2 locality + 0.05 headroom), parts in 0..1:
 *   memory    bytes the set can hold / its size      (per node: free + what it already has there)
 *   cpu       CPU the set covers / the CPU it uses   (per node: idle + what it already uses there,
 *             at most the node's CPUs in its cpuset)
 *   distance  10 / Σ cpu_i × mem_j × SLIT(i, j)      (1 when its threads and memory share a node)
 *   speed     cpu × distance                         (the CPU it gets times how near its memory is)
 *   locality  ½ its memory + ½ its CPU, each share weighted by 10 / SLIT(its node, the set):
 *             what is in the set counts fully, what is near it partly (1 for staying)
 *   headroom  ½ spare memory share + ½ spare CPU share of the set after placing it (CPU against
 *             use / target utilisation, numad's request)
 *
 * A candidate is planned before it is scored: memory fills the home node first, then the others
 * in the order they were added (nearest first); CPU demand likewise over the set's CPU nodes.
 * "What it already has there" makes the score blind to the process's own move: moving frees on
 * one node exactly what it takes on the other, so after a move only locality changes, in favour
 * of where it went.
 */
import { LOCAL_DISTANCE, zeros, type Capacity, type MachineIndex, type ProcessView } from './context.js';
import type { Placement, ScoreParts, ScoreWeights } from './model.js';
import { bytesText, cpusText, nodesText, percentText } from './text.js';

/** Memory this close to whole counts as fitting (rounding of KiB → bytes). */
const FIT_EPSILON = 1e-9;
/** Less CPU than this (cores) on a node is not worth spreading a process's threads there. */
export const CPU_EPSILON = 1e-3;

export interface CandidatePlan {
  /** Bytes planned per node index. */
  readonly bytes: number[];
  /** CPU demand planned per node index (cores). */
  readonly cpu: number[];
  /** Memory and CPU demand that did not fit. */
  readonly memLeft: number;
  readonly cpuLeft: number;
}

/** Memory a process can have on node i: free memory plus its own pages there. */
export function memAvail(v: ProcessView, cap: Capacity, i: number): number {
  return v.memAllowed[i] ? cap.freeBytes[i]! + v.here[i]! : 0;
}

/** CPU a process can have on node i: idle plus its own use there, at most the node's CPUs in its cpuset. */
export function cpuAvail(v: ProcessView, cap: Capacity, i: number): number {
  const n = v.cpusAllowed[i]!.length;
  return n === 0 ? 0 : Math.min(n, cap.idleCpus[i]! + v.own[i]!);
}

/**
 * Fill `members` (node indexes, home first, then in growth order) with the process's memory and
 * CPU. `into` reuses two arrays (a pass plans thousands of sets and keeps few).
 */
export function planOn(v: ProcessView, members: readonly number[], cap: Capacity, into?: { bytes: number[]; cpu: number[] }): CandidatePlan {
  const n = v.here.length;
  const bytes = into?.bytes ?? zeros(n);
  const cpu = into?.cpu ?? zeros(n);
  if (into !== undefined) {
    for (let i = 0; i < n; i++) {
      bytes[i] = 0;
      cpu[i] = 0;
    }
  }
  let memLeft = v.size;
  let cpuLeft = v.need;
  for (const i of members) {
    if (memLeft > 0) {
      const b = Math.min(memLeft, memAvail(v, cap, i));
      bytes[i] = b;
      memLeft -= b;
    }
    if (cpuLeft > 0) {
      const k = Math.min(cpuLeft, cpuAvail(v, cap, i));
      if (k >= CPU_EPSILON || k >= cpuLeft) {
        cpu[i] = k;
        cpuLeft -= k;
      }
    }
  }
  return { bytes, cpu, memLeft, cpuLeft };
}

/**
 * A scored placement in numbers only: what choosing needs. Words (and node ids) are added once,
 * for the placements a pass returns (present / presentCurrent): a pass scores thousands of node
 * sets and explains only the final ones.
 */
export interface Scored {
  /** Node indexes, home first, then in growth order; the current placement: ascending. */
  readonly members: readonly number[];
  /** Home node index; -1 for the current placement. */
  readonly home: number;
  readonly bytes: number[];
  readonly cpu: number[];
  readonly memLeft: number;
  readonly parts: ScoreParts;
  readonly score: number;
  readonly fits: boolean;
  readonly meanDistance: number;
  readonly bytesToMove: number;
  /** For the words: free memory where its pages would go, idle CPU and its own CPU on the set. */
  readonly free: number;
  readonly idle: number;
  readonly ownThere: number;
  readonly memShare: number;
  readonly cpuShareThere: number;
}

/** Score of moving the process to `members` (indexes, home first), in numbers. */
export function scoreSet(v: ProcessView, members: readonly number[], ix: MachineIndex, cap: Capacity, w: ScoreWeights, plan: CandidatePlan = planOn(v, members, cap)): Scored {
  const home = members[0]!;
  const n = ix.ids.length;
  const memory = v.size > 0 ? (v.size - plan.memLeft) / v.size : 1;
  const cpu = v.need > 0 ? (v.need - plan.cpuLeft) / v.need : 1;
  const meanDistance = meanAccessDistance(ix, plan.cpu, plan.bytes, home);

  let hereInSet = 0;
  let cpuInSet = 0;
  let avail = 0;
  let total = 0;
  let cpuCap = 0;
  let cpuCount = 0;
  let idle = 0;
  let ownThere = 0;
  for (const i of members) {
    hereInSet += v.here[i]!;
    cpuInSet += v.cpuShare[i]!;
    if (v.memAllowed[i]) {
      avail += memAvail(v, cap, i);
      total += ix.totalBytes[i]!;
    }
    const c = v.cpusAllowed[i]!.length;
    if (c > 0) {
      cpuCap += cpuAvail(v, cap, i);
      cpuCount += c;
      idle += Math.min(c, cap.idleCpus[i]!);
      ownThere += v.own[i]!;
    }
  }
  // What is already in the set counts fully, what is near it partly (10 / its distance to the set).
  let memNear = 0;
  let cpuNear = 0;
  let free = 0;
  let bytesToMove = 0;
  for (let j = 0; j < n; j++) {
    if (plan.bytes[j]! > 0) {
      free += cap.freeBytes[j]!;
      if (plan.bytes[j]! > v.here[j]!) bytesToMove += plan.bytes[j]! - v.here[j]!;
    }
    if (!(v.here[j]! > 0) && !(v.cpuShare[j]! > 0)) continue;
    const row = ix.dist[j]!;
    let d = Infinity;
    for (const i of members) if (row[i]! < d) d = row[i]!;
    const near = LOCAL_DISTANCE / Math.max(LOCAL_DISTANCE, d);
    memNear += v.here[j]! * near;
    cpuNear += v.cpuShare[j]! * near;
  }
  const parts: ScoreParts = {
    memory,
    cpu,
    distance: LOCAL_DISTANCE / meanDistance,
    speed: (cpu * LOCAL_DISTANCE) / meanDistance,
    locality: ((v.size > 0 ? memNear / v.size : 1) + (v.anyCpu ? cpuNear : 1)) / 2,
    headroom: (spare(avail - v.size, total) + spare(cpuCap - v.demand, cpuCount)) / 2,
  };
  return {
    members,
    home,
    bytes: plan.bytes,
    cpu: plan.cpu,
    memLeft: plan.memLeft,
    parts,
    score: weigh(parts, w),
    fits: plan.memLeft <= FIT_EPSILON * Math.max(1, v.size),
    meanDistance,
    bytesToMove,
    free,
    idle,
    ownThere,
    memShare: v.size > 0 ? hereInSet / v.size : 1,
    cpuShareThere: v.anyCpu ? cpuInSet : 1,
  };
}

/** A Scored that owns its arrays (one scored on reused buffers, kept). */
export function kept(s: Scored): Scored {
  return { ...s, members: [...s.members], bytes: s.bytes.slice(), cpu: s.cpu.slice() };
}

/** Score of moving the process to `members` (indexes, home first), with its words. */
export function scoreCandidate(v: ProcessView, members: readonly number[], ix: MachineIndex, cap: Capacity, w: ScoreWeights): Placement {
  return present(v, scoreSet(v, members, ix, cap, w), ix);
}

/** A scored candidate as the pass returns it: node ids, the affinity a move sets, one line of words. */
export function present(v: ProcessView, s: Scored, ix: MachineIndex): Placement {
  const home = s.home;
  const sorted = [...s.members].sort((a, b) => a - b);
  // Where its pages would go (the home for a process without memory, if it may use it).
  const memIdx = v.size > 0 ? sorted.filter((i) => s.bytes[i]! > 0) : v.memAllowed[home] ? [home] : [];
  const nodes = memIdx.map((i) => ix.ids[i]!);
  const cpuNodeIdx = cpuNodesOf(v, s);
  const cpuIds = cpuNodeIdx.map((i) => ix.ids[i]!);
  const sameNodes = cpuIds.length === nodes.length && cpuIds.every((id, k) => id === nodes[k]);
  const from = nodes.length > 1 ? ` (from ${ix.ids[home]})` : '';
  const where = `${nodes.length === 0 ? 'no memory node' : nodesText(nodes)}${from}${sameNodes || cpuIds.length === 0 ? '' : `, CPUs on ${nodesText(cpuIds)}`}`;
  const reason = [
    `${where}: ${bytesText(s.free)} free for ${bytesText(v.size)}${s.fits ? '' : ` (${bytesText(s.memLeft)} would not fit)`}`,
    cpuText(v, s.idle, s.ownThere),
    ...(v.fresh === true ? [] : [`${percentText(s.memShare)} of its memory already there${v.anyCpu && s.cpuShareThere < 1 ? `, ${percentText(s.cpuShareThere)} of its CPU` : ''}`]),
    ...(s.meanDistance > LOCAL_DISTANCE + 1e-9 ? [`mean distance ${s.meanDistance.toFixed(1)}`] : []),
    ...(cpuNodeIdx.length === 0 ? ['no CPU it may use'] : []),
  ].join(', ');
  return {
    nodes,
    home: ix.ids[home]!,
    cpuNodes: cpuIds,
    cpus: cpuNodeIdx.flatMap((i) => v.cpusAllowed[i]!),
    bytes: byId(ix, s.bytes),
    cpu: byId(ix, s.cpu),
    parts: s.parts,
    score: s.score,
    fits: s.fits,
    bytesToMove: s.bytesToMove,
    meanDistance: s.meanDistance,
    reason,
  };
}

/** Where its threads would run: where the plan puts CPU (the affinity a move sets), at home when it needs none. */
export function cpuNodesOf(v: ProcessView, s: Scored): number[] {
  const planned: number[] = [];
  for (let i = 0; i < s.cpu.length; i++) if (s.cpu[i]! > 0) planned.push(i);
  return planned.length > 0 ? planned : v.cpusAllowed[s.home]!.length > 0 ? [s.home] : [];
}

/**
 * Score of leaving the process where it is: its measured memory and CPU use. Memory, CPU and
 * locality are 1 by definition (it has what it uses); a candidate that is exactly where the
 * process already is scores the same.
 */
export function scoreNow(v: ProcessView, ix: MachineIndex, cap: Capacity, w: ScoreWeights): Scored {
  const n = ix.ids.length;
  const cpu = zeros(n);
  let covered = 0;
  let cpuCap = 0;
  let cpuCount = 0;
  let avail = 0;
  let total = 0;
  let free = 0;
  let idle = 0;
  const members: number[] = [];
  for (let i = 0; i < n; i++) {
    const share = v.cpuShare[i]!;
    if (v.here[i]! > 0 || share > 0) members.push(i);
    if (v.here[i]! > 0 && v.memAllowed[i]) {
      avail += memAvail(v, cap, i);
      total += ix.totalBytes[i]!;
      free += cap.freeBytes[i]!;
    }
    if (share > 0) {
      cpu[i] = v.need * share;
      const a = cpuAvail(v, cap, i);
      covered += Math.min(cpu[i]!, a);
      cpuCap += a;
      cpuCount += v.cpusAllowed[i]!.length;
      idle += Math.min(v.cpusAllowed[i]!.length, cap.idleCpus[i]!);
    }
  }
  const meanDistance = v.anyCpu ? meanAccessDistance(ix, v.cpuShare, v.here, -1) : LOCAL_DISTANCE;
  const cpuPart = v.need > 0 ? covered / v.need : 1;
  const parts: ScoreParts = {
    memory: 1,
    cpu: cpuPart,
    distance: LOCAL_DISTANCE / meanDistance,
    speed: (cpuPart * LOCAL_DISTANCE) / meanDistance,
    locality: 1,
    headroom: (spare(avail - v.size, total) + spare(cpuCap - v.demand, cpuCount)) / 2,
  };
  return {
    members,
    home: -1,
    bytes: v.here,
    cpu,
    memLeft: 0,
    parts,
    score: weigh(parts, w),
    fits: true,
    meanDistance,
    bytesToMove: 0,
    free,
    idle,
    ownThere: v.use,
    memShare: 1,
    cpuShareThere: 1,
  };
}

export function scoreCurrent(v: ProcessView, ix: MachineIndex, cap: Capacity, w: ScoreWeights): Placement {
  return presentCurrent(v, scoreNow(v, ix, cap, w), ix);
}

export function presentCurrent(v: ProcessView, s: Scored, ix: MachineIndex): Placement {
  const nodes = s.members.map((i) => ix.ids[i]!);
  const cpuNodes = s.members.filter((i) => v.cpuShare[i]! > 0).map((i) => ix.ids[i]!);
  const runs = cpuNodes.length === 0 ? '' : ` (threads on ${nodesText(cpuNodes)})`;
  const reason = [
    `now on ${nodes.length === 0 ? 'no node' : nodesText(nodes)}${runs}: ${percentText(v.localRatio)} of its ${bytesText(v.size)} local`,
    ...(s.meanDistance > LOCAL_DISTANCE + 1e-9 ? [`mean distance ${s.meanDistance.toFixed(1)}`] : []),
    ...(s.parts.cpu < 1 ? [`${percentText(s.parts.cpu)} of its CPU covered`] : []),
  ].join(', ');
  return {
    nodes,
    home: null,
    cpuNodes,
    cpus: [],
    bytes: byId(ix, s.bytes),
    cpu: byId(ix, s.cpu),
    parts: s.parts,
    score: s.score,
    fits: true,
    bytesToMove: 0,
    meanDistance: s.meanDistance,
    reason,
  };
}

export function weigh(p: ScoreParts, w: ScoreWeights): number {
  const sum = w.memory + w.speed + w.locality + w.headroom;
  return (w.memory * p.memory + w.speed * p.speed + w.locality * p.locality + w.headroom * p.headroom) / sum;
}

/**
 * Σ cpu_i × mem_j × SLIT(i, j) with both as shares; CPU at `home` when none is planned (a process
 * that uses none still runs there), and local when it has no memory.
 */
function meanAccessDistance(ix: MachineIndex, cpu: ArrayLike<number>, mem: ArrayLike<number>, home: number): number {
  let cpuSum = 0;
  let memSum = 0;
  for (let i = 0; i < ix.ids.length; i++) {
    cpuSum += cpu[i]!;
    memSum += mem[i]!;
  }
  if (memSum <= 0) return LOCAL_DISTANCE;
  let d = 0;
  if (cpuSum <= 0) {
    if (home < 0) return LOCAL_DISTANCE;
    const row = ix.dist[home]!;
    for (let j = 0; j < ix.ids.length; j++) if (mem[j]! > 0) d += (mem[j]! / memSum) * row[j]!;
    return Math.max(LOCAL_DISTANCE, d);
  }
  for (let i = 0; i < ix.ids.length; i++) {
    if (!(cpu[i]! > 0)) continue;
    const row = ix.dist[i]!;
    let di = 0;
    for (let j = 0; j < ix.ids.length; j++) if (mem[j]! > 0) di += (mem[j]! / memSum) * row[j]!;
    d += (cpu[i]! / cpuSum) * di;
  }
  return Math.max(LOCAL_DISTANCE, d);
}

function spare(left: number, of: number): number {
  return of > 0 ? Math.max(0, Math.min(1, left / of)) : 0;
}

/** Idle CPUs, plus those it keeps busy there itself (they stay its own if it stays). */
function cpuText(v: ProcessView, idle: number, own: number): string {
  if (v.fresh === true) return `${cpusText(idle)} idle for ${v.need.toFixed(1)} asked`;
  if (!v.sample.cpuMeasured) return `${cpusText(idle)} idle (its CPU use not measured yet)`;
  const starved = v.need - v.use >= 0.05 ? `, ${v.need.toFixed(1)} wanted (it waits for a CPU)` : '';
  return `${cpusText(idle)} idle${own >= 0.05 ? ` (+${own.toFixed(1)} its own)` : ''} for ${v.use.toFixed(1)} used${starved}`;
}

function byId(ix: MachineIndex, values: ArrayLike<number>): Record<number, number> {
  const out: Record<number, number> = {};
  for (let i = 0; i < ix.ids.length; i++) if (values[i]! > 0) out[ix.ids[i]!] = values[i]!;
  return out;
}
