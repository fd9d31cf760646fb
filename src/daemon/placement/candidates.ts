/**
 * The node sets a process could be moved to, as numad grows them: every node with CPUs the
 * process may use is a home; a home alone is a candidate, and only when it cannot hold the
 * process (memory, or the CPU it uses) does it grow, one node at a time, nearest first (SLIT
 * distance from the home; ties to the roomier node, then the lower id), each step a candidate of
 * its own. A node joins only if it adds what is missing (memory-only nodes add memory, never
 * CPU), and only nodes of the process's cpuset: memory on cpuset.mems, CPUs from cpuset.cpus.
 */
import { zeros, type Capacity, type MachineIndex, type ProcessView } from './context.js';
import type { Placement, ScoreWeights } from './model.js';
import { CPU_EPSILON, cpuAvail, kept, memAvail, planOn, present, scoreSet, type Scored } from './score.js';

/**
 * Candidates best first (those that hold all its memory, then score, fewer nodes, lower node
 * ids), one per distinct placement (pages per node and CPU nodes), in numbers.
 */
export function scoredCandidates(v: ProcessView, ix: MachineIndex, cap: Capacity, w: ScoreWeights): Scored[] {
  const best = new Map<number | string, Scored>();
  const n = ix.ids.length;
  grow(v, ix, cap, w, (c) => {
    // Sets grown from different homes can plan the same placement: one candidate each.
    const key = placementKey(c, n);
    const seen = best.get(key);
    if (seen === undefined || c.score > seen.score) best.set(key, kept(c));
  });
  return [...best.values()].sort(byRank);
}

/** The first of scoredCandidates, without listing the others (what a pass compares). */
export function bestCandidate(v: ProcessView, ix: MachineIndex, cap: Capacity, w: ScoreWeights): Scored | undefined {
  let best: Scored | undefined;
  grow(v, ix, cap, w, (c) => {
    if (best === undefined || byRank(c, best) < 0) best = kept(c);
  });
  return best;
}

/**
 * Every candidate, home by home, each home grown until it holds the process. `see` gets each on
 * reused arrays: it must keep() what it keeps.
 */
function grow(v: ProcessView, ix: MachineIndex, cap: Capacity, w: ScoreWeights, see: (c: Scored) => void): void {
  const scratch = { bytes: zeros(ix.ids.length), cpu: zeros(ix.ids.length) };
  for (let home = 0; home < ix.ids.length; home++) {
    if (v.cpusAllowed[home]!.length === 0) continue;
    const members = [home];
    for (;;) {
      const plan = planOn(v, members, cap, scratch);
      see(scoreSet(v, members, ix, cap, w, plan));
      const memShort = plan.memLeft > 0;
      const cpuShort = plan.cpuLeft > 1e-9;
      if (!memShort && !cpuShort) break;
      const next = nearestHelper(v, ix, cap, home, members, memShort, cpuShort);
      if (next < 0) break;
      members.push(next);
    }
  }
}

/** The same, with node ids and words. */
export function candidatesFor(v: ProcessView, ix: MachineIndex, cap: Capacity, w: ScoreWeights): Placement[] {
  return scoredCandidates(v, ix, cap, w).map((s) => present(v, s, ix));
}

export function byRank(a: Scored, b: Scored): number {
  return Number(b.fits) - Number(a.fits) || b.score - a.score || memCount(a) - memCount(b) || compareNodes(a, b);
}

function memCount(s: Scored): number {
  let k = 0;
  for (let i = 0; i < s.bytes.length; i++) if (s.bytes[i]! > 0) k++;
  return k;
}

/** Lower node indexes first: memory nodes, then CPU nodes. */
function compareNodes(a: Scored, b: Scored): number {
  for (let i = 0; i < a.bytes.length; i++) {
    const x = a.bytes[i]! > 0;
    const y = b.bytes[i]! > 0;
    if (x !== y) return x ? -1 : 1;
  }
  for (let i = 0; i < a.cpu.length; i++) {
    const x = a.cpu[i]! > 0;
    const y = b.cpu[i]! > 0;
    if (x !== y) return x ? -1 : 1;
  }
  return a.home - b.home;
}

/** Memory nodes and CPU nodes of a placement as one key: two bit masks while they fit a double exactly. */
function placementKey(s: Scored, n: number): number | string {
  if (n <= 26) {
    let mem = 0;
    let cpu = 0;
    for (let i = 0; i < n; i++) {
      if (s.bytes[i]! > 0) mem |= 1 << i;
      if (s.cpu[i]! > 0) cpu |= 1 << i;
    }
    // A process without memory or CPU is placed by its home.
    return (mem * 2 ** 26 + cpu) * 64 + (mem === 0 || cpu === 0 ? s.home + 1 : 0);
  }
  const mem: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    if (s.bytes[i]! > 0) mem.push(i);
    if (s.cpu[i]! > 0) cpu.push(i);
  }
  return `${mem.join(',')}|${cpu.join(',')}|${mem.length === 0 || cpu.length === 0 ? s.home : ''}`;
}

/** The nearest node outside `members` that adds memory (if short) or CPU (if short); -1 when none. */
function nearestHelper(v: ProcessView, ix: MachineIndex, cap: Capacity, home: number, members: readonly number[], memShort: boolean, cpuShort: boolean): number {
  let pick = -1;
  let pickDist = Infinity;
  let pickRoom = -1;
  const row = ix.dist[home]!;
  for (let i = 0; i < ix.ids.length; i++) {
    if (members.includes(i)) continue;
    const mem = memShort ? memAvail(v, cap, i) : 0;
    const cpu = cpuShort ? cpuAvail(v, cap, i) : 0;
    if (!(mem > 0) && !(cpu >= CPU_EPSILON)) continue;
    // Room in the unit that is short: memory as a share of the process, CPU as a share of its use.
    const room = (v.size > 0 ? mem / v.size : 0) + (v.need > 0 ? cpu / v.need : 0);
    const d = row[i]!;
    if (d < pickDist || (d === pickDist && room > pickRoom)) {
      pick = i;
      pickDist = d;
      pickRoom = room;
    }
  }
  return pick;
}
