import { HarnessError } from './exit-codes.js';

/** One emulated NUMA node: its vCPUs (empty for a CPU-less memory node) and memory size. */
export interface NodeSpec {
  readonly id: number;
  readonly cpus: readonly number[];
  readonly memMiB: number;
}

/** The topology the guest is asked to have; passed to guest tests as NUMAPOL_VM_TOPOLOGY. */
export interface Topology {
  readonly nodes: readonly NodeSpec[];
  /** distances[i][j] as in /sys/devices/system/node/node<i>/distance (ACPI SLIT). */
  readonly distances: readonly (readonly number[])[];
}

export interface TopologyRequest {
  readonly nodes: number;
  /** One size for every node, or one per node. */
  readonly memMiB: readonly number[];
  /** Preset name ('line', 'uniform') or an explicit matrix; undefined means 'line'. */
  readonly dist?: string | undefined;
  readonly cpuless: readonly number[];
}

export const DISTANCE_PRESETS = ['line', 'uniform'] as const;

/**
 * The distance matrix for a preset. 'line' (default) puts nodes on a line: 10 local, 20 to a
 * neighbour, 30 further away, so a test can tell the matrix was applied (a uniform one is what
 * QEMU gives without -numa dist). 'uniform' is 10 local and 20 everywhere else.
 */
export function presetDistances(preset: string, n: number): number[][] | undefined {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) {
      if (i === j) row.push(10);
      else if (preset === 'uniform') row.push(20);
      else if (preset === 'line') row.push(10 + 10 * Math.min(Math.abs(i - j), 2));
      else return undefined;
    }
    rows.push(row);
  }
  return rows;
}

/**
 * Parses a distance matrix: rows separated by ';' or '/', values by ',' or blanks, e.g.
 * "10,20,30;20,10,20;30,20,10". A flat list of n*n values is read row by row. Validates what
 * Linux needs to accept the ACPI SLIT (10 on the diagonal, 11..254 elsewhere); otherwise the
 * guest kernel silently ignores the table and the test bed would lie.
 */
export function parseDistances(text: string, n: number): number[][] {
  const preset = presetDistances(text.trim(), n);
  if (preset) return preset;
  const values = text.split(/[;/,\s]+/).filter((s) => s !== '').map((s) => {
    if (!/^\d+$/.test(s)) throw new HarnessError(`--dist: "${s}" is not a number (use a preset: ${DISTANCE_PRESETS.join(', ')}, or rows like "10,20;20,10")`);
    return Number(s);
  });
  if (values.length !== n * n) {
    throw new HarnessError(`--dist: a ${n}-node matrix needs ${n * n} values, got ${values.length}`);
  }
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(values.slice(i * n, (i + 1) * n));
  rows.forEach((row, i) => row.forEach((d, j) => {
    if (i === j && d !== 10) throw new HarnessError(`--dist: local distance of node ${i} must be 10, got ${d}`);
    if (i !== j && (d <= 10 || d > 254)) throw new HarnessError(`--dist: distance ${i}->${j} must be 11..254, got ${d}`);
  }));
  return rows;
}

/** Builds the node list: one vCPU per node that is not CPU-less, numbered in node order. */
export function buildTopology(req: TopologyRequest): Topology {
  const n = req.nodes;
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new HarnessError(`--nodes must be 1..64, got ${n}`);
  if (req.memMiB.length !== 1 && req.memMiB.length !== n) {
    throw new HarnessError(`--mem-mib: give one size or ${n} sizes, got ${req.memMiB.length}`);
  }
  for (const c of req.cpuless) {
    if (!Number.isInteger(c) || c < 0 || c >= n) throw new HarnessError(`--cpuless: node ${c} does not exist (nodes are 0-${n - 1})`);
  }
  if (req.cpuless.length >= n || new Set(req.cpuless).size >= n) throw new HarnessError('--cpuless: at least one node needs a CPU');
  let cpu = 0;
  const nodes: NodeSpec[] = [];
  for (let id = 0; id < n; id++) {
    const memMiB = req.memMiB.length === 1 ? req.memMiB[0]! : req.memMiB[id]!;
    if (!Number.isInteger(memMiB) || memMiB < 64) throw new HarnessError(`--mem-mib: node ${id} needs at least 64 MiB, got ${memMiB}`);
    const cpus = req.cpuless.includes(id) ? [] : [cpu++];
    nodes.push({ id, cpus, memMiB });
  }
  return { nodes, distances: parseDistances(req.dist ?? 'line', n) };
}

/** Number of vCPUs in the topology. */
export function cpuCount(t: Topology): number {
  return t.nodes.reduce((s, nd) => s + nd.cpus.length, 0);
}

/** Total guest RAM in MiB. */
export function totalMemMiB(t: Topology): number {
  return t.nodes.reduce((s, nd) => s + nd.memMiB, 0);
}

/** Reads the topology the harness passed to the guest (undefined outside the test bed). */
export function topologyFromEnv(env: NodeJS.ProcessEnv = process.env): Topology | undefined {
  const raw = env['NUMAPOL_VM_TOPOLOGY'];
  return raw ? (JSON.parse(raw) as Topology) : undefined;
}
