/**
 * Cost of one automatic placement pass (score every candidate node set of every process, choose
 * the moves) over 1,000 processes, on a 4-node machine model (the guest's line of distances) and
 * an 8-node one (two sockets of four). The goal: under 50 ms on the host.
 *
 * Reference in the same run, in turns with the pass (so both see the same load): JSON.stringify
 * of the same 1,000 samples, one walk over the input that does no placement work at all (what it
 * costs the daemon just to serialise what it measured for the API). The ratio says how many such
 * walks a pass is worth. Medians of 31 runs; the CPU time (this process's user + system, GC
 * threads included) is shown beside the wall time, which a loaded machine inflates.
 *
 * The samples are synthetic and seeded (the same every run): 64 MiB-2 GiB spread over one to three
 * nodes, 0.1-4 CPUs on one node, a third of them already local, every cpuset the whole machine.
 */
import { performance } from 'node:perf_hooks';
import { decide, newPlacementState, type PlacementMachine, type ProcessSample } from '../src/daemon/placement/index.js';
import { median, type BenchFigure } from './report.js';

const PROCESSES = 1000;
const RUNS = 31;
const GOAL_MS = 50;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** xorshift32: the same samples every run, no dependence on Math.random. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

function machineModel(rows: number[][], cpusPerNode: number, gib: number): PlacementMachine {
  const n = rows.length;
  let cpu = 0;
  return {
    nodes: Array.from({ length: n }, (_, node) => ({
      node,
      cpus: Array.from({ length: cpusPerNode }, () => cpu++),
      memTotalBytes: gib * GiB,
      memFreeBytes: (gib / 4) * GiB * (1 + (node % 3)),
      idleCpus: cpusPerNode * (0.2 + 0.2 * (node % 4)),
    })),
    distances: { nodes: rows.map((_, i) => i), rows },
  };
}

const LINE4 = [
  [10, 20, 30, 30],
  [20, 10, 20, 30],
  [30, 20, 10, 20],
  [30, 30, 20, 10],
];

/** Two sockets of four nodes: 12 inside a socket, 32 across. */
const SOCKETS8 = Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => (i === j ? 10 : Math.floor(i / 4) === Math.floor(j / 4) ? 12 : 32)));

function samples(m: PlacementMachine, seed: number): ProcessSample[] {
  const r = rng(seed);
  const ids = m.nodes.map((n) => n.node);
  const all = m.nodes.flatMap((n) => n.cpus);
  return Array.from({ length: PROCESSES }, (_, k) => {
    const size = (64 + Math.floor(r() * 1984)) * MiB;
    const home = ids[Math.floor(r() * ids.length)]!;
    const local = k % 3 === 0;
    const spread = local ? [home] : [home, ...ids.filter((id) => id !== home && r() < 0.4).slice(0, 2)];
    const bytesPerNode: Record<number, number> = {};
    spread.forEach((n, i) => (bytesPerNode[n] = Math.floor(size / spread.length) + (i === 0 ? size % spread.length : 0)));
    const cpu = 0.1 + r() * 3.9;
    const threads = Math.ceil(cpu) + Math.floor(r() * 4);
    const cpuNode = local ? home : ids[Math.floor(r() * ids.length)]!;
    return {
      pid: 10_000 + k,
      start: 5_000 + k,
      comm: `job${k}`,
      bytesPerNode,
      totalBytes: size,
      cpuPerNode: { [cpuNode]: cpu },
      cpuUsed: cpu,
      cpuMeasured: true,
      threads,
      threadsPerNode: { [cpuNode]: threads },
      cpuset: { mems: ids, cpus: all },
      policy: { text: 'default', mode: 'default', nodes: [], balancing: false },
    };
  });
}

/** Median wall and CPU time of `fn` and of `reference`, run in turns so both see the same load. */
function timed(fn: () => void, reference: () => void): { wall: number; cpu: number; reference: number } {
  for (let i = 0; i < 3; i++) {
    fn();
    reference();
  }
  const wall: number[] = [];
  const cpu: number[] = [];
  const ref: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    const t1 = performance.now();
    reference();
    ref.push(performance.now() - t1);
  }
  return { wall: median(wall), cpu: median(cpu), reference: median(ref) };
}

/** The two cases: a machine model and its 1,000 samples. */
export function placementCases(): { name: string; machine: PlacementMachine; samples: ProcessSample[] }[] {
  return [
    { name: '4 nodes', machine: machineModel(LINE4, 16, 64), seed: 4 },
    { name: '8 nodes', machine: machineModel(SOCKETS8, 8, 32), seed: 8 },
  ].map((c) => ({ name: c.name, machine: c.machine, samples: samples(c.machine, c.seed * 7919) }));
}

export function benchPlacement(): BenchFigure[] {
  const figures: BenchFigure[] = [];
  for (const { name, machine: m, samples: ps } of placementCases()) {
    let moves = 0;
    const stringify = (): void => {
      JSON.stringify(ps);
    };
    const one = timed(() => {
      moves = decide(ps, m, {}, newPlacementState(), 0).moves.length;
    }, stringify);
    const explained = timed(() => {
      JSON.stringify(decide(ps, m, {}, newPlacementState(), 0));
    }, stringify);
    const ten = timed(() => {
      decide(ps, m, { maxMoves: 10 }, newPlacementState(), 0);
    }, stringify);
    figures.push({
      name: `one pass, ${PROCESSES} processes, ${name} (max-moves 1: ${moves} move)`,
      value: one.wall,
      unit: 'ms',
      ratio: one.wall / one.reference,
      reference: `JSON.stringify of the samples (${one.reference.toFixed(2)} ms)`,
      goal: `< ${GOAL_MS} ms`,
      met: one.wall < GOAL_MS,
      note: `${one.cpu.toFixed(1)} ms of CPU`,
    });
    figures.push({
      name: `  the same, every decision explained (its words and every candidate, as JSON: what plan --json costs)`,
      value: explained.wall,
      unit: 'ms',
      ratio: explained.wall / explained.reference,
      reference: `JSON.stringify of the samples (${explained.reference.toFixed(2)} ms)`,
      note: `${explained.cpu.toFixed(1)} ms of CPU`,
    });
    figures.push({
      name: `one pass, ${PROCESSES} processes, ${name}, max-moves 10 (each move rescoring the rest)`,
      value: ten.wall,
      unit: 'ms',
      ratio: ten.wall / ten.reference,
      reference: `JSON.stringify of the samples (${ten.reference.toFixed(2)} ms)`,
      note: `${ten.cpu.toFixed(1)} ms of CPU`,
    });
  }
  return figures;
}
