/**
 * `numapol stat`: what numastat shows — the kernel's per-node allocation counters, per-node
 * meminfo (`-m`), and per-process memory per node split into Huge, Heap, Stack and Private
 * (`-p PID|NAME`); without `-p`, every process with resident memory, largest first.
 */
import { NumapolError } from '../errors.js';
import { checkNodesExist } from '../policy/index.js';
import { findProcesses, listPids, readComm } from '../procfs/processes.js';
import { readProcessNodeUsage, type NodeUsageCategory } from '../procfs/process-nodes.js';
import { readMachine } from '../topology/machine.js';
import { readNodeNumastat } from '../topology/numastat.js';
import type { OpsOptions } from './options.js';

/** numastat's default counters, in its order. */
export const NUMASTAT_COUNTERS = ['numa_hit', 'numa_miss', 'numa_foreign', 'interleave_hit', 'local_node', 'other_node'] as const;

export interface CounterRow {
  readonly name: string;
  /** One value per node of `nodes`, in pages. */
  readonly perNode: readonly number[];
  readonly total: number;
}

export interface ProcessStat {
  readonly pid: number;
  readonly name: string;
  /** Bytes per category, one value per node of `nodes`. */
  readonly byCategory: Readonly<Record<NodeUsageCategory, readonly number[]>>;
  /** Bytes per node of `nodes`. */
  readonly perNode: readonly number[];
  readonly totalBytes: number;
}

export interface StatReport {
  /** Online nodes: the columns of every table. */
  readonly nodes: readonly number[];
  /** Allocation counters (pages). Absent with `-p` (as numastat). */
  readonly counters?: readonly CounterRow[];
  /** Per-node meminfo fields in bytes (or counts for HugePages_*), with `-m`. */
  readonly meminfo?: readonly CounterRow[];
  readonly processes?: readonly ProcessStat[];
  /** Processes skipped because their numa_maps could not be read (other users without root). */
  readonly unreadable?: number;
}

export interface StatOptions extends OpsOptions {
  /** Pids or name patterns (`-p`); a number is a pid, anything else a name/cmdline pattern. */
  readonly processes?: readonly string[];
  /** Per-node meminfo (`-m`). */
  readonly meminfo?: boolean;
  /** Every process when no `-p` is given (default true). */
  readonly allProcesses?: boolean;
  /** Sort processes by total, largest first (default) or by one node's bytes. */
  readonly sortNode?: number;
}

const CATEGORIES: readonly NodeUsageCategory[] = ['huge', 'heap', 'stack', 'private'];

function processStat(pid: number, nodes: readonly number[], root: string | undefined): ProcessStat {
  const ro = root === undefined ? {} : { root };
  const u = readProcessNodeUsage(pid, ro);
  const col = (r: Record<number, number>): number[] => nodes.map((n) => (r[n] ?? 0) * 1024);
  const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, col(u.byCategory[c])])) as Record<NodeUsageCategory, number[]>;
  return { pid, name: readComm(pid, ro), byCategory, perNode: col(u.total), totalBytes: u.totalKiB * 1024 };
}

function resolvePids(selectors: readonly string[], root: string | undefined): number[] {
  const ro = root === undefined ? {} : { root };
  const pids = new Set<number>();
  for (const s of selectors) {
    if (/^\d+$/.test(s)) {
      pids.add(Number(s));
      continue;
    }
    const found = findProcesses(s, ro).filter((p) => p.pid !== process.pid);
    if (found.length === 0) throw new NumapolError('ENOPROC', `no process matches '${s}'`);
    for (const p of found) pids.add(p.pid);
  }
  return [...pids];
}

export function numastat(opts: StatOptions = {}): StatReport {
  const root = opts.root;
  const machine = readMachine(root === undefined ? {} : { root });
  const nodes = machine.online;
  const row = (name: string, perNode: number[]): CounterRow => ({ name, perNode, total: perNode.reduce((a, b) => a + b, 0) });

  let meminfo: CounterRow[] | undefined;
  if (opts.meminfo) {
    const names: string[] = [];
    for (const n of machine.nodes) for (const k of Object.keys(n.memory.fields)) if (!names.includes(k)) names.push(k);
    meminfo = names.map((k) =>
      row(
        k,
        machine.nodes.map((n) => {
          const v = n.memory.fields[k] ?? 0;
          return k.startsWith('HugePages_') ? v : v * 1024;
        }),
      ),
    );
  }

  const selectors = opts.processes ?? [];
  if (selectors.length > 0) {
    const processes = resolvePids(selectors, root).map((pid) => processStat(pid, nodes, root));
    return { nodes, ...(meminfo ? { meminfo } : {}), processes: sortProcesses(processes, nodes, opts.sortNode) };
  }

  const stats = nodes.map((n) => readNodeNumastat(n, root === undefined ? {} : { root }));
  const counterNames = [...NUMASTAT_COUNTERS];
  for (const s of stats) for (const k of Object.keys(s.fields)) if (!counterNames.includes(k as never)) counterNames.push(k as never);
  const counters = counterNames.map((k) => row(k, stats.map((s) => s.fields[k] ?? 0)));

  if (opts.allProcesses === false) return { nodes, counters, ...(meminfo ? { meminfo } : {}) };
  const processes: ProcessStat[] = [];
  let unreadable = 0;
  for (const pid of listPids(root === undefined ? {} : { root })) {
    try {
      const p = processStat(pid, nodes, root);
      if (p.totalBytes > 0) processes.push(p);
    } catch (e) {
      if (e instanceof NumapolError && e.code === 'EACCES') unreadable++;
      // ESRCH: exited while we listed; nothing to show.
    }
  }
  return {
    nodes,
    counters,
    ...(meminfo ? { meminfo } : {}),
    processes: sortProcesses(processes, nodes, opts.sortNode),
    ...(unreadable ? { unreadable } : {}),
  };
}

function sortProcesses(ps: ProcessStat[], nodes: readonly number[], sortNode: number | undefined): ProcessStat[] {
  const i = sortNode === undefined ? -1 : nodes.indexOf(sortNode);
  if (sortNode !== undefined) checkNodesExist([sortNode], nodes);
  const key = (p: ProcessStat): number => (i < 0 ? p.totalBytes : (p.perNode[i] ?? 0));
  return [...ps].sort((a, b) => key(b) - key(a) || a.pid - b.pid);
}
