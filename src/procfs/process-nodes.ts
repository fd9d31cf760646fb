/**
 * Per-process, per-node memory split like `numastat -p`: Huge, Heap, Stack, Private, from numa_maps.
 */
import { readNumaMaps, type NumaMapsEntry } from './numa-maps.js';
import type { ProcOptions } from './read.js';

export type NodeUsageCategory = 'huge' | 'heap' | 'stack' | 'private';

/** node id → KiB. */
export type PerNodeKiB = Record<number, number>;

export interface ProcessNodeUsage {
  /** Nodes that hold any of the process's pages, ascending. */
  nodes: number[];
  /** numastat -p rows: hugetlb VMAs, then heap, then stack, then everything else. */
  byCategory: Record<NodeUsageCategory, PerNodeKiB>;
  /** Same memory split by backing: VMAs with a file= versus anonymous ones. */
  byBacking: { anon: PerNodeKiB; file: PerNodeKiB };
  total: PerNodeKiB;
  totalKiB: number;
}

export interface ProcessNodeUsageOptions {
  /** Page size for lines without kernelpagesize_kB (the 2005 format). Default 4. */
  fallbackPageSizeKiB?: number;
}

/** Category of one numa_maps entry, in numastat's order of precedence. */
export function categoryOf(e: Pick<NumaMapsEntry, 'huge' | 'heap' | 'stack'>): NodeUsageCategory {
  if (e.huge) return 'huge';
  if (e.heap) return 'heap';
  if (e.stack) return 'stack';
  return 'private';
}

/** Sum numa_maps entries into per-node KiB. */
export function processNodeUsage(entries: Iterable<NumaMapsEntry>, opts: ProcessNodeUsageOptions = {}): ProcessNodeUsage {
  const fallback = opts.fallbackPageSizeKiB ?? 4;
  const u: ProcessNodeUsage = {
    nodes: [],
    byCategory: { huge: {}, heap: {}, stack: {}, private: {} },
    byBacking: { anon: {}, file: {} },
    total: {},
    totalKiB: 0,
  };
  for (const e of entries) {
    if (e.pages === 0) continue;
    const size = e.kernelPageSizeKiB ?? fallback;
    const cat = u.byCategory[categoryOf(e)];
    const backing = e.file === undefined ? u.byBacking.anon : u.byBacking.file;
    for (const key in e.pagesPerNode) {
      const node = Number(key);
      const kib = e.pagesPerNode[node]! * size;
      cat[node] = (cat[node] ?? 0) + kib;
      backing[node] = (backing[node] ?? 0) + kib;
      u.total[node] = (u.total[node] ?? 0) + kib;
      u.totalKiB += kib;
    }
  }
  u.nodes = Object.keys(u.total)
    .map(Number)
    .sort((a, b) => a - b);
  return u;
}

/** Per-node usage of a process (reads its numa_maps). */
export function readProcessNodeUsage(pid: number, opts: ProcOptions & ProcessNodeUsageOptions = {}): ProcessNodeUsage {
  return processNodeUsage(readNumaMaps(pid, opts), opts);
}
