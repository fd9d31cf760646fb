/**
 * A thread's CPUs under a job's node map. A CPU at index i of node f's CPUs goes to the CPU at
 * index i (mod their count) of node map(f), so a thread pinned to the second CPU of its node is
 * pinned to the second CPU of the partner node. A thread allowed every CPU of node f is allowed
 * every CPU of map(f), whatever the two counts (node-bound stays node-bound; a partner with more
 * CPUs is not left partly unused). CPUs of nodes outside the map stay.
 *
 * A partner node without CPUs (a memory-only node) takes none: those CPUs are dropped and
 * reported, and the caller refuses a thread left with no CPU at all.
 */
import { nodeSet } from '../../policy/index.js';

export interface CpuRemap {
  /** The new CPU set, ascending. */
  readonly cpus: readonly number[];
  /** CPUs whose node's partner has no CPU. */
  readonly dropped: readonly number[];
}

/** The CPU that `cpu` (on node `from`) goes to on node `to`, or undefined when `to` has none. */
export function partnerCpu(cpu: number, fromCpus: readonly number[], toCpus: readonly number[]): number | undefined {
  if (toCpus.length === 0) return undefined;
  const i = fromCpus.indexOf(cpu);
  return i < 0 ? undefined : toCpus[i % toCpus.length];
}

/**
 * Remaps a CPU set. `nodeCpus` gives each node's CPUs (ascending); `cpuNode` each CPU's node.
 * See the module comment for the rules.
 */
export function remapCpus(
  cpus: readonly number[],
  nodeMap: ReadonlyMap<number, number>,
  nodeCpus: ReadonlyMap<number, readonly number[]>,
  cpuNode: ReadonlyMap<number, number>,
): CpuRemap {
  const out: number[] = [];
  const dropped: number[] = [];
  const byNode = new Map<number, number[]>();
  for (const c of cpus) {
    const n = cpuNode.get(c);
    if (n === undefined || !nodeMap.has(n)) {
      out.push(c);
      continue;
    }
    let l = byNode.get(n);
    if (l === undefined) byNode.set(n, (l = []));
    l.push(c);
  }
  for (const [f, mine] of byNode) {
    const fromCpus = nodeCpus.get(f) ?? [];
    const toCpus = nodeCpus.get(nodeMap.get(f)!) ?? [];
    if (toCpus.length === 0) {
      dropped.push(...mine);
      continue;
    }
    if (mine.length === fromCpus.length) {
      out.push(...toCpus);
      continue;
    }
    for (const c of mine) {
      const p = partnerCpu(c, fromCpus, toCpus);
      if (p === undefined) dropped.push(c);
      else out.push(p);
    }
  }
  return { cpus: nodeSet(out), dropped: nodeSet(dropped) };
}

/** Node → CPUs and CPU → node from the machine's CPU → node table. */
export function cpuTables(cpuToNode: Readonly<Record<number, number>>): { nodeCpus: Map<number, number[]>; cpuNode: Map<number, number> } {
  const nodeCpus = new Map<number, number[]>();
  const cpuNode = new Map<number, number>();
  for (const [c, n] of Object.entries(cpuToNode)) {
    const cpu = Number(c);
    cpuNode.set(cpu, n);
    let l = nodeCpus.get(n);
    if (l === undefined) nodeCpus.set(n, (l = []));
    l.push(cpu);
  }
  for (const l of nodeCpus.values()) l.sort((a, b) => a - b);
  return { nodeCpus, cpuNode };
}
