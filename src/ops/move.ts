/**
 * `numapol move PID (--range ... | --vma NAME) --to NODE`: move only one area of a process — a
 * heap but not the text, an mmapped region after the process was scheduled elsewhere — with
 * move_pages in bounded batches, and say what happened to every page. This is the seeds'
 * sys_page_migrate(pid, address, from_node, to_node, nr_pages), from outside the process.
 */
import { UsageError } from '../errors.js';
import { MPOL_BIND, MPOL_MF_MOVE, MPOL_MF_MOVE_ALL, pageSize } from '../kernel/index.js';
import { hexAddr, segmentPages, type Selection } from './address-range.js';
import { failedPages, movePagesPaced, processError, selectionSegments, type EngineResult, type Flow, type PageTally, type Progress } from './move-pages.js';
import type { OpsOptions } from './options.js';
import type { PaceOptions } from './pace.js';
import { rebindRange, type RebindResult } from './rebind.js';
import { userNodes } from './user-policy.js';

export interface MoveOptions extends OpsOptions, Selection, PaceOptions {
  /** Destination node (one: move_pages and the seeds' to_node). */
  readonly to: string | number;
  /** Only pages now on these nodes (numactl node list). */
  readonly from?: string | readonly number[];
  /**
   * At most this many pages, exactly this many when there are enough. A transparent huge page
   * moves whole, so one that does not fit in what is left of the count stays.
   */
  readonly maxPages?: number;
  /** Also move pages other processes map (MPOL_MF_MOVE_ALL; needs CAP_SYS_NICE). Default: when root. */
  readonly moveShared?: boolean;
  /** Also bind the range to the destination so new pages follow (injected mbind, MPOL_MF_MOVE). */
  readonly rebind?: boolean;
  readonly dryRun?: boolean;
  readonly onProgress?: (p: Progress) => void;
}

export interface MovedSegment {
  /** Hex addresses. */
  readonly start: string;
  readonly end: string;
  readonly mapping: string;
}

export interface MoveReport {
  readonly pid: number;
  readonly to: number;
  readonly from?: readonly number[];
  readonly dryRun: boolean;
  readonly segments: readonly MovedSegment[];
  /** Pages in the selection. */
  readonly pages: number;
  readonly pageSize: number;
  readonly tally: PageTally;
  /** Pages that should have moved and did not (busy + noMemory + shared + other). */
  readonly failed: number;
  /** Dry run: the plan; otherwise what moved, by source → destination node. */
  readonly flows: readonly Flow[];
  readonly bytesMoved: number;
  readonly batchPages: number;
  readonly steps: number;
  readonly longestStepMs: number;
  readonly durationMs: number;
  readonly rebind?: RebindResult;
}

/** A node list as typed (or numbers), checked against the machine; `all` and `+N` use the target's cpuset. */
export function nodesOf(v: string | number | readonly number[], pid: number, root: string | undefined): readonly number[] {
  const text = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : v.join(',');
  return userNodes(text, { pid, ...(root === undefined ? {} : { root }) });
}

/** The move_pages flags for moving shared pages or not (default: shared too when root). */
export function moveFlags(moveShared: boolean | undefined): number {
  const all = moveShared ?? process.geteuid?.() === 0;
  return all ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE;
}

/** Moves the selected pages of `pid` to one node; see MoveReport for what comes back. */
export async function movePidRange(pid: number, opts: MoveOptions): Promise<MoveReport> {
  const root = opts.root;
  const toNodes = nodesOf(opts.to, pid, root);
  if (toNodes.length !== 1) throw new UsageError(`--to takes one node, not ${toNodes.length}: move_pages gives each page one destination`);
  const to = toNodes[0]!;
  const from = opts.from === undefined ? undefined : nodesOf(opts.from, pid, root);
  if (opts.maxPages !== undefined && !(Number.isSafeInteger(opts.maxPages) && opts.maxPages >= 0)) {
    throw new UsageError('--pages must be a whole number of pages');
  }
  const ps = pageSize();
  const segs = selectionSegments(pid, root, opts, ps);
  const fromSet = from === undefined ? undefined : new Set(from);
  const destOf = (n: number): number | undefined => (fromSet === undefined || fromSet.has(n) || n === to ? to : undefined);
  let r: EngineResult;
  try {
    r = await movePagesPaced(pid, segs, destOf, ps, {
      flags: moveFlags(opts.moveShared),
      ...(opts.maxPages === undefined ? {} : { maxPages: opts.maxPages }),
      ...(opts.dryRun ? { dryRun: true } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.batchPages === undefined ? {} : { batchPages: opts.batchPages }),
      ...(opts.rateBytesPerSecond === undefined ? {} : { rateBytesPerSecond: opts.rateBytesPerSecond }),
    });
  } catch (e) {
    throw processError(e, pid);
  }
  let rebind: RebindResult | undefined;
  if (opts.rebind && !opts.dryRun) {
    rebind = rebindRange(pid, segs, { mode: MPOL_BIND, nodes: [to] }, MPOL_MF_MOVE | (moveFlags(opts.moveShared) & MPOL_MF_MOVE_ALL));
  }
  return {
    pid,
    to,
    ...(from === undefined ? {} : { from }),
    dryRun: !!opts.dryRun,
    segments: segs.map((s) => ({ start: hexAddr(s.start), end: hexAddr(s.end), mapping: s.vma.path || `[${s.vma.kind}]` })),
    pages: segmentPages(segs, ps),
    pageSize: ps,
    tally: r.tally,
    failed: failedPages(r.tally),
    flows: r.flows,
    bytesMoved: r.bytesMoved,
    batchPages: r.batchPages,
    steps: r.pace.steps,
    longestStepMs: r.pace.longestStepMs,
    durationMs: r.durationMs,
    ...(rebind === undefined ? {} : { rebind }),
  };
}
