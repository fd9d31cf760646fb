/**
 * Hand-made machines and processes for placement tests: the 4-node guest's line of distances
 * (10/20/30), machines with memory-only nodes, and random ones for properties.
 */
import fc from 'fast-check';
import type { PlacementMachine, PlacementNode, ProcessSample } from '../../../src/daemon/placement/index.js';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** The guest's SLIT: nodes on a line, 0-1-2-3, 10 local, 20 next, 30 further. */
export const LINE4 = [
  [10, 20, 30, 30],
  [20, 10, 20, 30],
  [30, 20, 10, 20],
  [30, 30, 20, 10],
];

export interface NodeSpec {
  readonly cpus?: number;
  readonly totalGiB?: number;
  readonly freeGiB?: number;
  /** Idle CPUs; default all. */
  readonly idle?: number;
}

/** Nodes numbered 0.., CPUs numbered in node order; `rows` the SLIT. */
export function machine(specs: readonly NodeSpec[], rows: readonly (readonly number[])[]): PlacementMachine {
  let cpu = 0;
  const nodes: PlacementNode[] = specs.map((s, node) => {
    const count = s.cpus ?? 1;
    const cpus = Array.from({ length: count }, () => cpu++);
    return {
      node,
      cpus,
      memTotalBytes: (s.totalGiB ?? 4) * GiB,
      memFreeBytes: (s.freeGiB ?? 3) * GiB,
      idleCpus: s.idle ?? count,
    };
  });
  return { nodes, distances: { nodes: specs.map((_, i) => i), rows } };
}

/** The 4-node guest: one CPU per node, 4 GiB each, 3 GiB free, all idle (override per node). */
export function guest(over: Readonly<Record<number, NodeSpec>> = {}): PlacementMachine {
  return machine([0, 1, 2, 3].map((n) => ({ cpus: 1, ...over[n] })), LINE4);
}

export interface ProcSpec {
  readonly pid?: number;
  readonly start?: number;
  readonly comm?: string;
  /** node → MiB. */
  readonly mem: Readonly<Record<number, number>>;
  /** node → cores used. */
  readonly cpu: Readonly<Record<number, number>>;
  readonly threads?: number;
  readonly mems?: readonly number[];
  readonly cpus?: readonly number[];
  readonly policy?: ProcessSample['policy'];
  readonly measured?: boolean;
}

export function proc(s: ProcSpec, m: PlacementMachine): ProcessSample {
  const bytesPerNode: Record<number, number> = {};
  let totalBytes = 0;
  for (const [n, mib] of Object.entries(s.mem)) {
    bytesPerNode[Number(n)] = mib * MiB;
    totalBytes += mib * MiB;
  }
  const cpuPerNode: Record<number, number> = {};
  const threadsPerNode: Record<number, number> = {};
  let cpuUsed = 0;
  for (const [n, c] of Object.entries(s.cpu)) {
    cpuPerNode[Number(n)] = c;
    threadsPerNode[Number(n)] = Math.max(1, Math.ceil(c));
    cpuUsed += c;
  }
  const threads = s.threads ?? Math.max(1, Object.values(threadsPerNode).reduce((a, b) => a + b, 0));
  return {
    pid: s.pid ?? 100,
    start: s.start ?? 1,
    comm: s.comm ?? 'myapp',
    bytesPerNode,
    totalBytes,
    cpuPerNode,
    cpuUsed,
    cpuMeasured: s.measured ?? true,
    threads,
    threadsPerNode,
    cpuset: { mems: s.mems ?? m.nodes.map((n) => n.node), cpus: s.cpus ?? m.nodes.flatMap((n) => n.cpus) },
    policy: s.policy ?? { text: 'default', mode: 'default', nodes: [], balancing: false },
  };
}

/** A symmetric SLIT with 10 on the diagonal and remote distances from `far`. */
function slit(n: number, far: readonly number[]): number[][] {
  const rows = Array.from({ length: n }, () => Array.from({ length: n }, () => 10));
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = far[k++ % far.length]!;
      rows[i]![j] = d;
      rows[j]![i] = d;
    }
  }
  return rows;
}

/** A random machine: 1-8 nodes, some memory-only, random SLIT, free memory and idle CPU. */
export const arbMachine: fc.Arbitrary<PlacementMachine> = fc.integer({ min: 1, max: 8 }).chain((n) =>
  fc
    .record({
      specs: fc.array(
        fc.record({
          cpus: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 })),
          totalMiB: fc.integer({ min: 256, max: 8192 }),
          freeShare: fc.oneof(fc.constant(0), fc.double({ min: 0.2, max: 1, noNaN: true })),
          idleShare: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        { minLength: n, maxLength: n },
      ),
      far: fc.array(fc.integer({ min: 11, max: 40 }), { minLength: 1, maxLength: 28 }),
    })
    .map(({ specs, far }) => {
      // At least one node with CPUs, as on every real machine.
      if (specs.every((s) => s.cpus === 0)) specs[0] = { ...specs[0]!, cpus: 1 };
      let cpu = 0;
      const nodes: PlacementNode[] = specs.map((s, node) => ({
        node,
        cpus: Array.from({ length: s.cpus }, () => cpu++),
        memTotalBytes: s.totalMiB * MiB,
        memFreeBytes: Math.floor(s.totalMiB * s.freeShare) * MiB,
        idleCpus: s.cpus * s.idleShare,
      }));
      return { nodes, distances: { nodes: nodes.map((x) => x.node), rows: slit(n, far) } };
    }),
);

/** Random processes for a machine: memory on some nodes, CPU on its CPU nodes, a cpuset. */
export function arbProcesses(m: PlacementMachine, max = 6): fc.Arbitrary<ProcessSample[]> {
  const ids = m.nodes.map((n) => n.node);
  const cpuNodes = m.nodes.filter((n) => n.cpus.length > 0).map((n) => n.node);
  const one = fc.record({
    mem: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 512 })), { minLength: ids.length, maxLength: ids.length }),
    cpuNode: fc.constantFrom(...cpuNodes),
    cpu: fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 2, noNaN: true })),
    mems: fc.subarray(ids, { minLength: 1 }),
    cpuNodes: fc.subarray(cpuNodes, { minLength: 1 }),
  });
  return fc.array(one, { minLength: 1, maxLength: max }).map((list) =>
    list.map((r, k) => {
      const mem: Record<number, number> = {};
      r.mem.forEach((mib, i) => {
        if (mib > 0) mem[ids[i]!] = mib;
      });
      return proc(
        {
          pid: 1000 + k,
          start: 7,
          mem,
          cpu: r.cpu > 0 ? { [r.cpuNode]: r.cpu } : {},
          threads: 2,
          mems: r.mems,
          cpus: m.nodes.filter((n) => r.cpuNodes.includes(n.node)).flatMap((n) => n.cpus),
        },
        m,
      );
    }),
  );
}
