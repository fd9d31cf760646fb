/**
 * `numapol migrate PID FROM TO`: move all of a process's pages on nodes FROM to nodes TO, keeping
 * their relative placement as the kernel's migrate_pages does (2-5 → 7,9,12-13 maps 2→7, 3→9,
 * 4→12, 5→13). Unlike migratepages(8) it says which pages did not move and why.
 *
 * Threads: migrate_pages acts on the address space, so every thread of the process (and anything
 * sharing its mm) is covered whether PID names the process or one of its threads. With root
 * (CAP_SYS_NICE) pages other processes also map move too (MPOL_MF_MOVE_ALL), as the kernel does.
 *
 * Without --rate/--batch this is one migrate_pages call (the kernel's fastest path, but it holds
 * the target for the whole move). With either, the same mapping runs as paced move_pages steps.
 */
import { performance } from 'node:perf_hooks';
import { UsageError } from '../errors.js';
import { migratePages, pageSize } from '../kernel/index.js';
import { formatNodeList } from '../policy/index.js';
import type { Vma } from '../procfs/vmas.js';
import { isMovableVma, type Segment } from './address-range.js';
import { addTally, emptyTally, failedPages, movePagesPaced, processError, targetVmas, type Flow, type PageTally, type Progress } from './move-pages.js';
import { moveFlags, nodesOf } from './move.js';
import type { OpsOptions } from './options.js';
import type { PaceOptions } from './pace.js';

/**
 * Where migrate_pages sends the pages of each source node: the k-th node of `from` goes to the
 * (k mod |to|)-th node of `to` (the kernel's node_remap). When the sets differ in size, sources
 * that are also destinations stay put (do_migrate_pages skips them). Nodes mapping to themselves
 * are left out.
 */
export function migrationMap(from: readonly number[], to: readonly number[]): Map<number, number> {
  const f = [...new Set(from)].sort((a, b) => a - b);
  const t = [...new Set(to)].sort((a, b) => a - b);
  const m = new Map<number, number>();
  if (t.length === 0) return m;
  const toSet = new Set(t);
  f.forEach((s, k) => {
    if (f.length !== t.length && toSet.has(s)) return;
    const d = t[k % t.length]!;
    if (d !== s) m.set(s, d);
  });
  return m;
}

export interface MigrateOptions extends OpsOptions, PaceOptions {
  readonly dryRun?: boolean;
  /** After the move, retry pages left on source nodes one by one to learn why (default true). */
  readonly explain?: boolean;
  /** Move pages other processes map too (default: when root, as migrate_pages with CAP_SYS_NICE). */
  readonly moveShared?: boolean;
  readonly onProgress?: (p: Progress) => void;
}

/** Pages still on a source node after the move, per VMA. */
export interface Leftover {
  readonly start: string;
  readonly end: string;
  readonly mapping: string;
  /** Node → pages still there that should have moved. */
  readonly pagesPerNode: Record<number, number>;
  /** Pages of this VMA mapped by more than one process at most (numa_maps mapmax). */
  readonly mapmax: number;
}

export interface MigrateReport {
  readonly pid: number;
  readonly from: readonly number[];
  readonly to: readonly number[];
  /** Source node → destination node, as the kernel applies it. */
  readonly map: readonly { from: number; to: number }[];
  readonly dryRun: boolean;
  /** 'migrate_pages' (one call) or 'move_pages' (paced steps). */
  readonly method: 'migrate_pages' | 'move_pages';
  /** migrate_pages' return: pages the kernel reported it could not move. */
  readonly kernelNotMoved?: number;
  /** Dry run: the plan from the current placement; otherwise what moved. */
  readonly flows: readonly Flow[];
  /** Per-page outcomes: of the paced move, or of the retry of leftovers after migrate_pages. */
  readonly tally: PageTally;
  /** Pages still on source nodes after everything, that should have moved. */
  readonly notMoved: number;
  readonly leftovers: readonly Leftover[];
  /** Pages per node of the whole process before and after (from numa_maps). */
  readonly before: Record<number, number>;
  readonly after?: Record<number, number>;
  readonly pageSize: number;
  readonly steps: number;
  readonly longestStepMs: number;
  readonly durationMs: number;
}

function pageTotals(vmas: readonly Vma[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const v of vmas) for (const [n, p] of Object.entries(v.pagesPerNode)) out[Number(n)] = (out[Number(n)] ?? 0) + p;
  return out;
}

/** Pages each VMA has on a node the map moves away from, per pagesPerNode (numa_maps). */
function plannedFlows(vmas: readonly Vma[], map: Map<number, number>, ps: number): Flow[] {
  const flows = new Map<number, Flow>();
  for (const v of vmas) {
    if (!isMovableVma(v)) continue;
    const bytesPerPage = v.pageSizeKiB !== undefined ? v.pageSizeKiB * 1024 : ps;
    for (const [n, p] of Object.entries(v.pagesPerNode)) {
      const s = Number(n);
      const d = map.get(s);
      if (d === undefined || p === 0) continue;
      const f = flows.get(s) ?? { from: s, to: d, pages: 0, bytes: 0 };
      // numa_maps counts hugetlb pages as huge pages and everything else (THP too) in base pages.
      f.pages += v.hugetlb ? (p * bytesPerPage) / ps : p;
      f.bytes += p * (v.hugetlb ? bytesPerPage : ps);
      flows.set(s, f);
    }
  }
  return [...flows.values()].sort((a, b) => a.from - b.from);
}

function leftoversOf(vmas: readonly Vma[], map: Map<number, number>): Leftover[] {
  const out: Leftover[] = [];
  for (const v of vmas) {
    if (!isMovableVma(v)) continue;
    const left: Record<number, number> = {};
    for (const [n, p] of Object.entries(v.pagesPerNode)) if (map.has(Number(n)) && p > 0) left[Number(n)] = p;
    if (Object.keys(left).length > 0) {
      out.push({ start: `0x${v.start.toString(16)}`, end: `0x${v.end.toString(16)}`, mapping: v.path || `[${v.kind}]`, pagesPerNode: left, mapmax: v.mapmax });
    }
  }
  return out;
}

/** Migrates the pages of `pid` on `from` to `to`; see MigrateReport. */
export async function migrateProcess(
  pid: number,
  fromText: string | readonly number[],
  toText: string | readonly number[],
  opts: MigrateOptions = {},
): Promise<MigrateReport> {
  const root = opts.root;
  const from = nodesOf(fromText, pid, root);
  const to = nodesOf(toText, pid, root);
  if (from.length === 0 || to.length === 0) throw new UsageError('migrate needs at least one node on each side');
  const map = migrationMap(from, to);
  const ps = pageSize();
  const t0 = performance.now();
  const vmasBefore = targetVmas(pid, root);
  const before = pageTotals(vmasBefore);
  const paced = opts.rateBytesPerSecond !== undefined || opts.batchPages !== undefined;
  const base = {
    pid,
    from,
    to,
    map: [...map].map(([f, t]) => ({ from: f, to: t })),
    method: paced ? ('move_pages' as const) : ('migrate_pages' as const),
    before,
    pageSize: ps,
  };
  if (opts.dryRun) {
    const flows = plannedFlows(vmasBefore, map, ps);
    return {
      ...base,
      dryRun: true,
      flows,
      tally: emptyTally(),
      notMoved: 0,
      leftovers: [],
      steps: 0,
      longestStepMs: 0,
      durationMs: performance.now() - t0,
    };
  }
  const flags = moveFlags(opts.moveShared);
  const destOf = (n: number): number | undefined => map.get(n) ?? (from.includes(n) ? n : undefined);
  const segsOf = (vmas: readonly Vma[]): Segment[] =>
    vmas.filter((v) => isMovableVma(v) && Object.keys(v.pagesPerNode).some((n) => map.has(Number(n)))).map((v) => ({ start: v.start, end: v.end, vma: v }));
  const tally = emptyTally();
  let flows: Flow[];
  let kernelNotMoved: number | undefined;
  let steps = 0;
  let longest = 0;
  try {
    if (paced) {
      const r = await movePagesPaced(pid, segsOf(vmasBefore), destOf, ps, {
        flags,
        ...(opts.batchPages === undefined ? {} : { batchPages: opts.batchPages }),
        ...(opts.rateBytesPerSecond === undefined ? {} : { rateBytesPerSecond: opts.rateBytesPerSecond }),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      addTally(tally, r.tally);
      flows = r.flows;
      steps = r.pace.steps;
      longest = r.pace.longestStepMs;
    } else {
      const s0 = performance.now();
      kernelNotMoved = map.size === 0 ? 0 : migratePages(pid, from, to);
      longest = performance.now() - s0;
      steps = 1;
      flows = plannedFlows(vmasBefore, map, ps);
    }
  } catch (e) {
    throw processError(e, pid);
  }
  let vmasAfter = targetVmas(pid, root);
  let left = leftoversOf(vmasAfter, map);
  if (!paced && left.length > 0 && opts.explain !== false) {
    // migrate_pages only counts failures: retry the leftovers page by page to learn each reason.
    try {
      const r = await movePagesPaced(pid, segsOf(vmasAfter), destOf, ps, { flags });
      addTally(tally, r.tally);
    } catch (e) {
      throw processError(e, pid);
    }
    vmasAfter = targetVmas(pid, root);
    left = leftoversOf(vmasAfter, map);
  }
  if (!paced) {
    // What moved = what was planned minus what is still there.
    const still = new Map<number, number>();
    for (const l of left) for (const [n, p] of Object.entries(l.pagesPerNode)) still.set(Number(n), (still.get(Number(n)) ?? 0) + p);
    flows = flows.map((f) => {
      const pages = Math.max(0, f.pages - (still.get(f.from) ?? 0));
      return { ...f, pages, bytes: pages * (f.pages > 0 ? f.bytes / f.pages : ps) };
    });
    // The retry's tally counted only what it moved itself; every page the flows show moved
    // (by the one call or by the retry) is a moved page, so the two can never disagree.
    tally.moved = flows.reduce((s, f) => s + f.pages, 0);
  }
  const notMoved = left.reduce((s, l) => s + Object.values(l.pagesPerNode).reduce((a, b) => a + b, 0), 0);
  return {
    ...base,
    dryRun: false,
    ...(kernelNotMoved === undefined ? {} : { kernelNotMoved }),
    flows,
    tally,
    notMoved: Math.max(notMoved, paced ? failedPages(tally) : 0),
    leftovers: left,
    after: pageTotals(vmasAfter),
    steps,
    longestStepMs: longest,
    durationMs: performance.now() - t0,
  };
}

/** "0-1 → 2-3" for messages. */
export function describeMap(r: Pick<MigrateReport, 'from' | 'to'>): string {
  return `${formatNodeList(r.from)} → ${formatNodeList(r.to)}`;
}
