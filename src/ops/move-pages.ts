/**
 * The engine under `move`, paced `migrate` and migrate lines: walks the pages of some segments in
 * chunks, learns where each page is (from /proc/PID/pagemap when we may see frame numbers, else
 * by a move_pages query), picks the pages to move and their destination, moves them with
 * move_pages in paced steps, and sorts every page's outcome into a tally. A transparent huge page
 * is one unit (its head) but counts as its base pages. A dry run stops after the placement: the
 * plan comes from the real placement.
 */
import { performance } from 'node:perf_hooks';
import { statSync } from 'node:fs';
import { NumapolError, ProcessGoneError } from '../errors.js';
import { errnoName, movePagesCounted, queryPageNodes, SyscallError } from '../kernel/index.js';
import { readVmas, type Vma } from '../procfs/vmas.js';
import type { Segment } from './address-range.js';
import { Pacer, batchPagesFor, checkPaceOptions, type PaceOptions, type PaceStats } from './pace.js';
import { emptyUnits, openPlacement, pmdPages, pushUnit, UNKNOWN_NODE, type Units } from './page-units.js';

const ENOENT = 2;
const ENOMEM = 12;
const EACCES = 13;
const EFAULT = 14;
const EBUSY = 16;
/** Extra passes over pages the kernel reported busy. */
const BUSY_RETRIES = 3;

/** Every examined page lands in exactly one of these. */
export interface PageTally {
  /** Moved to its destination by this run. */
  moved: number;
  /** Already on its destination node. */
  alreadyThere: number;
  /** Not selected: on a node outside --from, or past the --pages limit. */
  notSelected: number;
  /** No page there: never touched, swapped out, or the zero page (-ENOENT / -EFAULT). */
  notPresent: number;
  /** The kernel could not migrate it (-EBUSY, or a failed migration): pinned, locked, under I/O. */
  busy: number;
  /** The destination node had no free memory (-ENOMEM). */
  noMemory: number;
  /** Mapped by other processes too: moving it needs CAP_SYS_NICE (MPOL_MF_MOVE_ALL) (-EACCES). */
  shared: number;
  /** Any other per-page error, by errno name. */
  other: Record<string, number>;
}

/** Pages planned (dry run) or moved from one node to another. */
export interface Flow {
  readonly from: number;
  readonly to: number;
  pages: number;
  bytes: number;
}

export interface Progress {
  readonly bytesDone: number;
  /** What the whole run would move at most (bytes in the selection), for a bar and ETA. */
  readonly bytesTotal: number;
  readonly elapsedMs: number;
}

export interface EngineOptions extends PaceOptions {
  /** MPOL_MF_MOVE or MPOL_MF_MOVE_ALL. */
  readonly flags: number;
  /** Move at most this many base pages (the seeds' `N0(100)>1`); huge pages only when they fit whole. */
  readonly maxPages?: number;
  readonly dryRun?: boolean;
  readonly onProgress?: (p: Progress) => void;
  /**
   * Where placement comes from: 'auto' reads /proc/PID/pagemap when its frame numbers are
   * visible and asks move_pages otherwise; 'query' always asks move_pages page by page.
   */
  readonly placement?: 'auto' | 'query';
  /**
   * One pacer for several runs (a job's members): the rate then holds for all of them together,
   * and its stats count every step. Default: a pacer of this run's own.
   */
  readonly pacer?: Pacer;
  /**
   * Units to leave alone, by their address and size in base pages (a unit is judged by its
   * first page): pages another process of a job moves for everyone who maps them. Counted as
   * not selected.
   */
  readonly skip?: (addr: bigint, pages: number) => boolean;
  /** Sees every move_pages call's entries before it runs; `retry` for passes over busy pages. */
  readonly onMoveCall?: (addrs: BigUint64Array, dest: Int32Array, retry: boolean) => void;
}

export interface EngineResult {
  readonly tally: PageTally;
  /** Dry run: what would move; otherwise what did move, by source and destination node. */
  readonly flows: Flow[];
  /** Pages examined (the selection's size in pages). */
  readonly pages: number;
  readonly bytesMoved: number;
  readonly batchPages: number;
  readonly pace: PaceStats;
  readonly durationMs: number;
}

export function emptyTally(): PageTally {
  return { moved: 0, alreadyThere: 0, notPresent: 0, notSelected: 0, busy: 0, noMemory: 0, shared: 0, other: {} };
}

/** Adds b into a. */
export function addTally(a: PageTally, b: PageTally): void {
  a.moved += b.moved;
  a.alreadyThere += b.alreadyThere;
  a.notPresent += b.notPresent;
  a.notSelected += b.notSelected;
  a.busy += b.busy;
  a.noMemory += b.noMemory;
  a.shared += b.shared;
  for (const [k, v] of Object.entries(b.other)) a.other[k] = (a.other[k] ?? 0) + v;
}

/** Pages that should have moved and did not. */
export function failedPages(t: PageTally): number {
  return t.busy + t.noMemory + t.shared + Object.values(t.other).reduce((s, v) => s + v, 0);
}

/** Counts `pages` pages that move_pages failed with `errno` under their outcome. */
export function tallyError(t: PageTally, errno: number, pages: number): void {
  if (errno === ENOENT || errno === EFAULT) t.notPresent += pages;
  else if (errno === EBUSY) t.busy += pages;
  else if (errno === ENOMEM) t.noMemory += pages;
  else if (errno === EACCES) t.shared += pages;
  else {
    const name = errnoName(errno);
    t.other[name] = (t.other[name] ?? 0) + pages;
  }
}

/** Page size of the pages of a segment: huge for hugetlb VMAs, the base page otherwise. */
function stepOf(seg: Segment, basePage: number): bigint {
  const kib = seg.vma.hugetlb ? seg.vma.pageSizeKiB : undefined;
  return BigInt(kib !== undefined && kib * 1024 > basePage ? kib * 1024 : basePage);
}

/** Consecutive pages of one size in one segment. */
interface Span {
  readonly start: bigint;
  readonly count: number;
  readonly step: number;
  /** hugetlb pages: pagemap words are per base page there, so these are always asked for. */
  readonly hugetlb: boolean;
}

/**
 * The selection cut into chunks of about `batch` pages, whose placement is read in one go. A
 * chunk of base pages ends only at a PMD boundary (2 MiB with 4 KiB pages), so a transparent
 * huge page is never cut in two and can be recognised and moved whole by its head.
 */
function* chunks(segs: readonly Segment[], batch: number, basePage: number): Generator<Span[]> {
  const pmdBytes = BigInt(pmdPages(basePage) * basePage);
  let out: Span[] = [];
  let n = 0;
  for (const s of segs) {
    const step = stepOf(s, basePage);
    const hugetlb = Number(step) !== basePage;
    const segEnd = ((s.end + step - 1n) / step) * step;
    let a = (s.start / step) * step;
    while (a < segEnd) {
      let end = a + BigInt(Math.max(1, batch - n)) * step;
      if (!hugetlb) end = ((end + pmdBytes - 1n) / pmdBytes) * pmdBytes;
      if (end > segEnd) end = segEnd;
      const count = Number((end - a) / step);
      out.push({ start: a, count, step: Number(step), hugetlb });
      n += count;
      a = end;
      if (n >= batch) {
        yield out;
        out = [];
        n = 0;
      }
    }
  }
  if (out.length > 0) yield out;
}

function totalBytes(segs: readonly Segment[], basePage: number): number {
  let b = 0;
  for (const s of segs) {
    const step = stepOf(s, basePage);
    b += Number(((s.end + step - 1n) / step - s.start / step) * step);
  }
  return b;
}

/** Flows keyed by from * 2^16 + to: a number key, since every moved page passes here. */
export type Flows = Map<number, Flow>;

export function addFlow(flows: Flows, from: number, to: number, pages: number, bytes: number): void {
  const k = from * 65536 + to;
  const f = flows.get(k);
  if (f === undefined) flows.set(k, { from, to, pages, bytes });
  else {
    f.pages += pages;
    f.bytes += bytes;
  }
}

/** A unit picked for moving: where it is and where it goes. */
interface Pick {
  readonly addr: bigint;
  readonly pages: number;
  readonly bytes: number;
  readonly from: number;
  readonly to: number;
}

/** Address of the last base page of a unit (for a THP: its last tail). */
function lastPage(p: Pick, basePage: number): bigint {
  return p.addr + BigInt((p.pages - 1) * basePage);
}

/**
 * Moves the pages of `segs` in process `pid`: each present page on node N goes to destOf(N)
 * (undefined: leave it). Throws SyscallError for whole-call failures (ESRCH gone, EPERM another
 * user's process, ENODEV a bad node); per-page failures are counted in the tally.
 *
 * Placement comes from /proc/PID/pagemap when its frame numbers are visible (root): one read per
 * chunk instead of a move_pages query per page, and a transparent huge page is passed to
 * move_pages by its head only. Otherwise (or with placement 'query') each page is asked for.
 */
export async function movePagesPaced(
  pid: number,
  segs: readonly Segment[],
  destOf: (node: number) => number | undefined,
  basePage: number,
  opts: EngineOptions,
): Promise<EngineResult> {
  checkPaceOptions(opts);
  const t0 = performance.now();
  const batch = batchPagesFor(opts, basePage);
  const pacer = opts.pacer ?? new Pacer(opts);
  const tally = emptyTally();
  const flows: Flows = new Map();
  const bytesTotal = totalBytes(segs, basePage);
  let budget = opts.maxPages ?? Infinity;
  let pages = 0;
  let bytesMoved = 0;
  let lastReport = 0;
  // Units the kernel gave up on (a racing writer, a transient pin): retried after the pass.
  const busy: Pick[] = [];

  const credit = (p: Pick, n: number, bytes: number): void => {
    tally.moved += n;
    addFlow(flows, p.from, p.to, n, bytes);
    bytesMoved += bytes;
  };

  /** Where each address is now (node or -errno): one move_pages query. */
  const where = (addrs: readonly bigint[]): Int32Array => queryPageNodes(pid, BigUint64Array.from(addrs));

  /**
   * Credits the units that are on their destination by the head's status. A huge page counts
   * whole only when its last page is there too: if it was split since pagemap was read, only
   * the head moved, and the rest is sent round again page by page.
   */
  const settle = async (landed: Pick[]): Promise<void> => {
    const huge = landed.filter((p) => p.pages > 1);
    const tails = huge.length > 0 ? where(huge.map((p) => lastPage(p, basePage))) : new Int32Array(0);
    const redo = emptyUnits();
    let k = 0;
    for (const p of landed) {
      if (p.pages === 1) {
        credit(p, 1, p.bytes);
        continue;
      }
      if (tails[k++] === p.to) credit(p, p.pages, p.bytes);
      else {
        credit(p, 1, basePage);
        budget += p.pages - 1;
        for (let i = 1; i < p.pages; i++) pushUnit(redo, p.addr + BigInt(i * basePage), 1, basePage, UNKNOWN_NODE);
      }
    }
    if (redo.addrs.length > 0) await place(redo);
  };

  /** One move_pages call (one paced step) over units going to their nodes. */
  const moveStep = async (sel: Pick[]): Promise<void> => {
    // The kernel migrates queued pages whenever the destination changes: group by destination.
    if (sel.some((p, j) => j > 0 && p.to < sel[j - 1]!.to)) sel.sort((a, b) => a.to - b.to);
    const addrs = BigUint64Array.from(sel.map((p) => p.addr));
    const dest = Int32Array.from(sel.map((p) => p.to));
    opts.onMoveCall?.(addrs, dest, false);
    let status: Int32Array | undefined;
    let notMoved = 0;
    await pacer.step(
      sel.reduce((s, p) => s + p.bytes, 0),
      () => {
        try {
          const r = movePagesCounted(pid, addrs, dest, opts.flags);
          status = r.status;
          notMoved = r.notMoved;
        } catch (e) {
          // A migration that cannot allocate fails the whole call: see per page what did move.
          if (!(e instanceof SyscallError && e.errno === ENOMEM)) throw e;
        }
      },
    );
    const landed: Pick[] = [];
    // Huge pages whose head did not land while the call failed: the kernel may have split them
    // and moved some of the pieces, so they are looked at page by page.
    const pieces: { p: Pick; enomem: boolean }[] = [];
    // When some pages failed, the kernel stops early and leaves the rest of the statuses unset
    // (0, which reads as node 0): ask where the pages really are.
    const st = status !== undefined && notMoved === 0 ? status : where(sel.map((p) => p.addr));
    sel.forEach((p, j) => {
      const s = st[j]!;
      const own = status?.[j];
      if (s === p.to) landed.push(p);
      else if (p.pages > 1 && st !== status) pieces.push({ p, enomem: status === undefined });
      else if (status === undefined) tally.noMemory += p.pages;
      else if (own !== undefined && own < 0 && own !== -EBUSY) tallyError(tally, -own, p.pages);
      else {
        tally.busy += p.pages;
        busy.push(p);
      }
    });
    if (pieces.length > 0) {
      const addrs: bigint[] = [];
      for (const { p } of pieces) for (let i = 0; i < p.pages; i++) addrs.push(p.addr + BigInt(i * basePage));
      const now = where(addrs);
      let k = 0;
      for (const { p, enomem } of pieces) {
        for (let i = 0; i < p.pages; i++, k++) {
          const one: Pick = { addr: addrs[k]!, pages: 1, bytes: basePage, from: p.from, to: p.to };
          if (now[k] === p.to) credit(one, 1, basePage);
          else if (enomem) tally.noMemory++;
          else {
            tally.busy++;
            busy.push(one);
          }
        }
      }
    }
    await settle(landed);
  };

  /** Classifies units by their node (asking the kernel for those pagemap could not place), then moves the picked ones. */
  const place = async (u: Units): Promise<void> => {
    const unknown: number[] = [];
    u.node.forEach((n, i) => {
      if (n === UNKNOWN_NODE) unknown.push(i);
    });
    if (unknown.length > 0) {
      const q = where(unknown.map((i) => u.addrs[i]!));
      unknown.forEach((i, k) => (u.node[i] = q[k]!));
    }
    const picks: Pick[] = [];
    const skip = opts.skip;
    for (let i = 0; i < u.addrs.length; i++) {
      const st = u.node[i]!;
      const n = u.pages[i]!;
      if (skip !== undefined && skip(u.addrs[i]!, n)) {
        tally.notSelected += n;
        continue;
      }
      if (st < 0) {
        tallyError(tally, -st, n);
        continue;
      }
      const d = destOf(st);
      if (d === undefined) tally.notSelected += n;
      else if (d === st) tally.alreadyThere += n;
      else if (budget < n) {
        // --pages is exact: a huge page that does not fit in what is left of it stays (it can
        // only move whole); base pages after it may still fill the count.
        tally.notSelected += n;
      } else {
        picks.push({ addr: u.addrs[i]!, pages: n, bytes: u.bytes[i]!, from: st, to: d });
        budget -= n;
      }
    }
    if (opts.dryRun) {
      for (const p of picks) addFlow(flows, p.from, p.to, p.pages, p.bytes);
      return;
    }
    // Steps of at most `batch` pages (a huge page alone may be more: it cannot be cut).
    for (let j = 0; j < picks.length; ) {
      let n = 0;
      let k = j;
      while (k < picks.length && (k === j || n + picks[k]!.pages <= batch)) n += picks[k++]!.pages;
      await moveStep(picks.slice(j, k));
      j = k;
    }
  };

  const placement = opts.placement === 'query' ? undefined : openPlacement(pid, basePage);
  try {
    for (const chunk of chunks(segs, batch, basePage)) {
      const u = emptyUnits();
      for (const s of chunk) {
        pages += s.count;
        if (placement !== undefined && !s.hugetlb) placement.read(s.start, s.count, u);
        else for (let i = 0; i < s.count; i++) pushUnit(u, s.start + BigInt(i * s.step), 1, s.step, UNKNOWN_NODE);
      }
      await place(u);
      if (opts.onProgress) {
        const now = performance.now();
        if (now - lastReport > 100) {
          lastReport = now;
          opts.onProgress({ bytesDone: bytesMoved, bytesTotal, elapsedMs: now - t0 });
        }
      }
    }
  } finally {
    placement?.close();
  }
  for (let pass = 0; pass < BUSY_RETRIES && busy.length > 0 && !opts.dryRun; pass++) {
    const sel = busy.splice(0);
    const addrs = BigUint64Array.from(sel.map((p) => p.addr));
    const dest = Int32Array.from(sel.map((p) => p.to));
    opts.onMoveCall?.(addrs, dest, true);
    await pacer.step(
      sel.reduce((a, p) => a + p.bytes, 0),
      () => {
        try {
          movePagesCounted(pid, addrs, dest, opts.flags);
        } catch (e) {
          if (!(e instanceof SyscallError && e.errno === ENOMEM)) throw e;
        }
      },
    );
    const after = where(sel.map((p) => p.addr));
    const landed: Pick[] = [];
    sel.forEach((p, j) => {
      if (after[j] === p.to) {
        tally.busy -= p.pages;
        landed.push(p);
      } else busy.push(p);
    });
    await settle(landed);
  }
  if (opts.onProgress) opts.onProgress({ bytesDone: bytesMoved, bytesTotal: bytesMoved, elapsedMs: performance.now() - t0 });
  return {
    tally,
    flows: [...flows.values()].sort((a, b) => a.from - b.from || a.to - b.to),
    pages,
    bytesMoved,
    batchPages: batch,
    pace: pacer.stats(),
    durationMs: performance.now() - t0,
  };
}

/**
 * The VMAs of a process we are about to move: a /proc permission error means the same thing as
 * move_pages' EPERM (another user's process), so it gets the same message.
 */
export function targetVmas(pid: number, root: string | undefined): Vma[] {
  try {
    return readVmas(pid, root === undefined ? {} : { root });
  } catch (e) {
    if (e instanceof NumapolError && e.code === 'EACCES') throw permissionError(pid, e, 'numa_maps');
    throw e;
  }
}

function permissionError(pid: number, cause: unknown, what: string): NumapolError {
  const owner = ownerOf(pid);
  const me = process.geteuid?.();
  return new NumapolError(
    'EPERM',
    `not permitted to move the pages of pid ${pid}${owner === undefined ? '' : ` (owned by uid ${owner}, we are uid ${me})`}: ` +
      "another user's process needs root or CAP_SYS_NICE, and ptrace access (kernel.yama.ptrace_scope)",
    { cause, details: { pid, ...(owner === undefined ? {} : { owner }), failed: what } },
  );
}

function ownerOf(pid: number): number | undefined {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    return undefined;
  }
}

/**
 * Whole-call failures in a user's words: a gone pid is ProcessGoneError, EPERM names the owner
 * and what privilege is missing; anything else is returned as it was.
 */
export function processError(e: unknown, pid: number): unknown {
  if (!(e instanceof SyscallError)) return e;
  if (e.errnoName === 'ESRCH') return new ProcessGoneError(pid, { cause: e });
  if (e.errnoName === 'EPERM') return permissionError(pid, e, e.syscall);
  return e;
}
