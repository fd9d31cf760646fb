/**
 * The node sets a process could be moved to, as numad grows them: every node with CPUs the
 * process may use is a home; a home alone is a candidate, and only when it cannot hold the
 * process (memory, or CPU demand) does it grow, one node at a time, nearest first (SLIT distance
 * from the home; ties to the roomier node, then the lower id), each step a candidate of its own.
 * A node joins only if it adds what is missing (memory-only nodes add memory, never CPU), and
 * only nodes of the process's cpuset: memory on cpuset.mems, CPUs from cpuset.cpus.
 */
import type { Capacity, MachineIndex, ProcessView } from './context.js';
import type { Placement, ScoreWeights } from './model.js';
import { CPU_EPSILON, cpuAvail, memAvail, planOn, scoreCandidate } from './score.js';

/** Candidates best first (those that hold all its memory, then score, fewer nodes, lower node ids); one per distinct node set. */
export function candidatesFor(v: ProcessView, ix: MachineIndex, cap: Capacity, w: ScoreWeights): Placement[] {
  const best = new Map<string, Placement>();
  const n = ix.ids.length;
  for (let home = 0; home < n; home++) {
    if (v.cpusAllowed[home]!.length === 0) continue;
    const members = [home];
    for (;;) {
      const plan = planOn(v, members, cap);
      const c = scoreCandidate(v, members, ix, cap, w);
      // Sets grown from different homes can plan the same placement: one candidate each.
      const key = `${c.nodes.join(',')}|${c.cpuNodes.join(',')}`;
      const seen = best.get(key);
      if (seen === undefined || c.score > seen.score) best.set(key, c);
      const memShort = plan.memLeft > 0;
      const cpuShort = plan.cpuLeft > 1e-9;
      if (!memShort && !cpuShort) break;
      const next = nearestHelper(v, ix, cap, home, members, memShort, cpuShort);
      if (next < 0) break;
      members.push(next);
    }
  }
  return [...best.values()].sort(byRank);
}

export function byRank(a: Placement, b: Placement): number {
  return Number(b.fits) - Number(a.fits) || b.score - a.score || a.nodes.length - b.nodes.length || compareNodes(a.nodes, b.nodes);
}

function compareNodes(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
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
    // Room in the unit that is short: memory as a share of the process, CPU as a share of its demand.
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
