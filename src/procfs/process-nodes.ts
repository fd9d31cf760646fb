/**
 * Per-process, per-node memory split like `numastat -p`: Huge, Heap, Stack, Private.
 * Works from joined VMAs (maps names the heap and stack even where numa_maps does not, as in the
 * 2005 format) or from numa_maps entries alone.
 */
import type { NumaMapsEntry } from './numa-maps.js';
import type { ProcOptions } from './read.js';
import { readVmas, type Vma } from './vmas.js';

export type NodeUsageCategory = 'huge' | 'heap' | 'stack' | 'private';

/** node id → KiB. */
export type PerNodeKiB = Record<number, number>;

export interface ProcessNodeUsage {
  /** Nodes that hold any of the process's pages, ascending. */
  nodes: number[];
  /** numastat -p rows: hugetlb VMAs, then heap, then stack, then everything else. */
  byCategory: Record<NodeUsageCategory, PerNodeKiB>;
  /** Same memory split by backing: file-backed VMAs (incl. shm, memfd) versus anonymous ones. */
  byBacking: { anon: PerNodeKiB; file: PerNodeKiB };
  total: PerNodeKiB;
  totalKiB: number;
}

export interface ProcessNodeUsageOptions {
  /** Page size for VMAs whose page size is unknown (2005 format). Default 4. */
  fallbackPageSizeKiB?: number;
}

/** What the sum needs from one VMA. */
export interface NodeUsageItem {
  category: NodeUsageCategory;
  fileBacked: boolean;
  pagesPerNode: Record<number, number>;
  pageSizeKiB?: number;
}

/** numastat's order of precedence: huge, then heap, then stack, else private. */
export function categoryOf(flags: { huge: boolean; heap: boolean; stack: boolean }): NodeUsageCategory {
  if (flags.huge) return 'huge';
  if (flags.heap) return 'heap';
  if (flags.stack) return 'stack';
  return 'private';
}

export function usageItemOfVma(v: Vma): NodeUsageItem {
  const item: NodeUsageItem = {
    category: categoryOf({ huge: v.hugetlb, heap: v.kind === 'heap', stack: v.kind === 'stack' }),
    // /anon_hugepage is MAP_ANONYMOUS|MAP_HUGETLB memory: a name in maps, not a file.
    fileBacked: v.path.startsWith('/') && v.kind !== 'huge',
    pagesPerNode: v.pagesPerNode,
  };
  if (v.pageSizeKiB !== undefined) item.pageSizeKiB = v.pageSizeKiB;
  return item;
}

export function usageItemOfNumaMaps(e: NumaMapsEntry): NodeUsageItem {
  // numa_maps prints MAP_HUGETLB anonymous memory as file=/anon_hugepage (deleted): not a file.
  const fileBacked = e.file !== undefined && !(e.huge && e.file.startsWith('/anon_hugepage'));
  const item: NodeUsageItem = { category: categoryOf(e), fileBacked, pagesPerNode: e.pagesPerNode };
  if (e.kernelPageSizeKiB !== undefined) item.pageSizeKiB = e.kernelPageSizeKiB;
  return item;
}

/** Sum per-node KiB over VMAs. */
export function processNodeUsage(items: Iterable<NodeUsageItem>, opts: ProcessNodeUsageOptions = {}): ProcessNodeUsage {
  const fallback = opts.fallbackPageSizeKiB ?? 4;
  const u: ProcessNodeUsage = {
    nodes: [],
    byCategory: { huge: {}, heap: {}, stack: {}, private: {} },
    byBacking: { anon: {}, file: {} },
    total: {},
    totalKiB: 0,
  };
  for (const it of items) {
    const size = it.pageSizeKiB ?? fallback;
    const cat = u.byCategory[it.category];
    const backing = it.fileBacked ? u.byBacking.file : u.byBacking.anon;
    for (const key in it.pagesPerNode) {
      const node = Number(key);
      const kib = it.pagesPerNode[node]! * size;
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

/** Per-node usage of a process (or of the VMAs as a thread sees them: same pages). */
export function readProcessNodeUsage(pid: number, opts: ProcOptions & ProcessNodeUsageOptions = {}): ProcessNodeUsage {
  return processNodeUsage(readVmas(pid, opts).map(usageItemOfVma), opts);
}
