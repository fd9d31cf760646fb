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
import { readMaps, type MapsEntry } from '../procfs/maps.js';
import { joinVma, readVmas, type Vma } from '../procfs/vmas.js';
import { resolveSelection, type Segment, type Selection } from './address-range.js';
import { DEFAULT_BATCH_PAGES, Pacer, batchPagesFor, checkPaceOptions, type PaceOptions, type PaceStats } from './pace.js';
import { PageAddrs } from './page-addrs.js';
import { openPlacement, pmdPages, UNKNOWN_NODE, Units } from './page-units.js';

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
  /**
   * Sees every move_pages call's entries before it runs; `retry` for passes over busy pages. The
   * arrays may be views of the engine's reused buffers: read them in the call, copy to keep them.
   */
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
  /** Page number (address / base page size) of the first page. */
  readonly vpn: number;
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
  const base = BigInt(basePage);
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
      out.push({ vpn: Number(a / base), count, step: Number(step), hugetlb });
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

/**
 * A unit picked for moving, as an object: only where a unit needs care of its own (a huge page
 * to verify, a busy page to retry, a step the kernel cut short); the common path stays in the
 * typed columns of Units.
 */
interface Pick {
  /** Page number of the unit's first page. */
  readonly vpn: number;
  readonly pages: number;
  readonly bytes: number;
  readonly from: number;
  readonly to: number;
}

/** destOf answers for node numbers below this are remembered: it is asked once per unit. */
const DEST_MEMO_NODES = 1024;
const DEST_UNASKED = -2;
const DEST_NONE = -1;

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
  // --pages: int32 arithmetic (see PageAddrs), checked only when asked for.
  const limited = opts.maxPages !== undefined;
  let budget = opts.maxPages ?? 0;
  let pages = 0;
  let bytesMoved = 0;
  let lastReport = 0;
  // Units the kernel gave up on (a racing writer, a transient pin): retried after the pass.
  const busy: Pick[] = [];
  // Addresses of placement queries, reused: each query is built and answered in one go.
  const queryAddrs = new PageAddrs(basePage);

  const destMemo = new Int32Array(DEST_MEMO_NODES).fill(DEST_UNASKED);
  // The picked units' columns of the top-level chunks (see place), and whether they are in use.
  let pickIdx = new Int32Array(0);
  let pickTo = new Int32Array(0);
  let picking = false;
  /** destOf(node) as a number (DEST_NONE: leave it), asked once per node. */
  const destFor = (node: number): number => {
    if (node < DEST_MEMO_NODES) {
      const d = destMemo[node]!;
      if (d !== DEST_UNASKED) return d;
      return (destMemo[node] = destOf(node) ?? DEST_NONE);
    }
    return destOf(node) ?? DEST_NONE;
  };

  const credit = (from: number, to: number, n: number, bytes: number): void => {
    tally.moved += n;
    addFlow(flows, from, to, n, bytes);
    bytesMoved += bytes;
  };

  /** Where each page number is now (node or -errno): one move_pages query. */
  const where = (vpns: ArrayLike<number>): Int32Array => {
    const n = vpns.length;
    queryAddrs.reserve(n);
    for (let i = 0; i < n; i++) queryAddrs.set(i, vpns[i]!);
    return queryPageNodes(pid, queryAddrs.view(0, n));
  };

  // Statuses of the main steps, reused: a step's statuses are read before the next step runs
  // (the nested steps of a split huge page's pages come after its own are read).
  let statusBuf = new Int32Array(0);

  /**
   * One move_pages call as a paced step; status undefined when the whole call failed with ENOMEM.
   * With `reuse` the statuses land in the engine's buffer, valid until the next such call.
   */
  const moveCall = async (
    addrs: BigUint64Array,
    dest: Int32Array,
    bytes: number,
    retry: boolean,
    reuse = false,
  ): Promise<{ status: Int32Array | undefined; notMoved: number }> => {
    opts.onMoveCall?.(addrs, dest, retry);
    let status: Int32Array | undefined;
    let notMoved = 0;
    if (reuse && statusBuf.length < addrs.length) statusBuf = new Int32Array(Math.max(addrs.length, 2 * statusBuf.length));
    await pacer.step(bytes, () => {
      try {
        const r = movePagesCounted(pid, addrs, dest, opts.flags, reuse ? statusBuf : undefined);
        status = r.status;
        notMoved = r.notMoved;
      } catch (e) {
        // A migration that cannot allocate fails the whole call: see per page what did move.
        if (!(e instanceof SyscallError && e.errno === ENOMEM)) throw e;
      }
    });
    return { status, notMoved };
  };

  /**
   * Credits the units that are on their destination by the head's status. A huge page counts
   * whole only when its last page is there too: if it was split since pagemap was read, only
   * the head moved, and the rest is sent round again page by page.
   */
  const settle = async (landed: Pick[]): Promise<void> => {
    let huge = 0;
    for (const p of landed) if (p.pages > 1) huge++;
    const tails = huge > 0 ? where(landed.filter((p) => p.pages > 1).map((p) => p.vpn + p.pages - 1)) : new Int32Array(0);
    const redo = new Units(basePage, 0);
    let k = 0;
    for (const p of landed) {
      if (p.pages === 1) {
        credit(p.from, p.to, 1, p.bytes);
        continue;
      }
      if (tails[k++] === p.to) credit(p.from, p.to, p.pages, p.bytes);
      else {
        credit(p.from, p.to, 1, basePage);
        budget += p.pages - 1;
        redo.pushRun(p.vpn + 1, p.pages - 1, 1, 1, UNKNOWN_NODE);
      }
    }
    if (redo.length > 0) await place(redo);
  };

  /**
   * After a move_pages call that did not finish (notMoved > 0: the kernel stops at the first
   * failed migration and leaves the later statuses unset, which read as node 0; or ENOMEM: no
   * statuses at all): asks where each unit really is.
   */
  const afterCutShort = async (sel: Pick[], status: Int32Array | undefined): Promise<void> => {
    const landed: Pick[] = [];
    // Huge pages whose head did not land: the kernel may have split them and moved some of the
    // pieces, so they are looked at page by page.
    const pieces: { p: Pick; enomem: boolean }[] = [];
    const st = where(sel.map((p) => p.vpn));
    sel.forEach((p, j) => {
      const s = st[j]!;
      const own = status?.[j];
      if (s === p.to) landed.push(p);
      else if (p.pages > 1) pieces.push({ p, enomem: status === undefined });
      else if (status === undefined) tally.noMemory += p.pages;
      else if (own !== undefined && own < 0 && own !== -EBUSY) tallyError(tally, -own, p.pages);
      else {
        tally.busy += p.pages;
        busy.push(p);
      }
    });
    if (pieces.length > 0) {
      const vpns: number[] = [];
      for (const { p } of pieces) for (let i = 0; i < p.pages; i++) vpns.push(p.vpn + i);
      const now = where(vpns);
      let k = 0;
      for (const { p, enomem } of pieces) {
        for (let i = 0; i < p.pages; i++, k++) {
          const one: Pick = { vpn: vpns[k]!, pages: 1, bytes: basePage, from: p.from, to: p.to };
          if (now[k] === p.to) credit(one.from, one.to, 1, basePage);
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

  /**
   * One move_pages call (one paced step) over the picked units idx[j..k) of `u`, going to
   * to[j..k). When the picks are consecutive units (the usual case: a whole chunk goes) the
   * kernel gets a view of u's address column as it is; else their addresses are gathered. The
   * common outcome (every page accounted for by its status) is read straight from
   * the columns; base pages that landed are credited in runs of one source and destination.
   */
  const moveStep = async (u: Units, idx: Int32Array, to: Int32Array, j: number, k: number, bytes: number, ascending: boolean): Promise<void> => {
    // The kernel migrates queued pages whenever the destination changes: group by destination
    // (`ascending`: the picker saw the destinations already are).
    let sorted = true;
    if (!ascending) for (let m = j + 1; m < k && sorted; m++) if (to[m]! < to[m - 1]!) sorted = false;
    if (!sorted) {
      const order = Array.from({ length: k - j }, (_, m) => j + m).sort((a, b) => to[a]! - to[b]!);
      const i2 = order.map((m) => idx[m]!);
      const t2 = order.map((m) => to[m]!);
      idx.set(i2, j);
      to.set(t2, j);
    }
    let addrs: BigUint64Array;
    if (sorted && idx[k - 1]! - idx[j]! === k - 1 - j) addrs = u.addr.view(idx[j]!, idx[j]! + (k - j));
    else {
      const gather = new PageAddrs(basePage, k - j);
      for (let m = j; m < k; m++) gather.copy(m - j, u.addr, idx[m]!);
      addrs = gather.view(0, k - j);
    }
    const { status, notMoved } = await moveCall(addrs, to.subarray(j, k), bytes, false, true);
    const pickOf = (m: number): Pick => {
      const i = idx[m]!;
      return { vpn: u.vpnAt(i), pages: u.pages[i]!, bytes: u.size[i]! * basePage, from: u.node[i]!, to: to[m]! };
    };
    if (status === undefined || notMoved > 0) {
      const sel: Pick[] = [];
      for (let m = j; m < k; m++) sel.push(pickOf(m));
      await afterCutShort(sel, status);
      return;
    }
    const huge: Pick[] = [];
    const { pages: unitPages, size, node } = u;
    let runFrom = -1;
    let runTo = -1;
    let runPages = 0;
    let runSize = 0;
    for (let m = j; m < k; m++) {
      const i = idx[m]!;
      const s = status[m - j]!;
      const d = to[m]!;
      if (s === d) {
        if (unitPages[i] !== 1) {
          huge.push(pickOf(m));
          continue;
        }
        const f = node[i]!;
        if (f !== runFrom || d !== runTo) {
          if (runPages > 0) credit(runFrom, runTo, runPages, runSize * basePage);
          runFrom = f;
          runTo = d;
          runPages = 0;
          runSize = 0;
        }
        runPages++;
        runSize += size[i]!;
      } else if (s < 0 && s !== -EBUSY) tallyError(tally, -s, unitPages[i]!);
      else {
        tally.busy += unitPages[i]!;
        busy.push(pickOf(m));
      }
    }
    if (runPages > 0) credit(runFrom, runTo, runPages, runSize * basePage);
    if (huge.length > 0) await settle(huge);
  };

  /** Classifies units by their node (asking the kernel for those pagemap could not place), then moves the picked ones. */
  const place = async (u: Units): Promise<void> => {
    const unknown: number[] = [];
    const nodes = u.node;
    for (let i = 0, n = u.length; i < n; i++) if (nodes[i] === UNKNOWN_NODE) unknown.push(i);
    if (unknown.length > 0) {
      const q = where(unknown.map((i) => u.vpnAt(i)));
      unknown.forEach((i, k) => (u.node[i] = q[k]!));
    }
    // Picked units: their index in u and their destination, in the order they are moved. The
    // top-level chunks share one pair of columns; a nested placement (a split huge page's pages,
    // placed while its chunk's columns are still being stepped through) gets its own.
    const nested = picking;
    if (!nested && pickIdx.length < u.length) {
      pickIdx = new Int32Array(Math.max(u.length, 2 * pickIdx.length));
      pickTo = new Int32Array(pickIdx.length);
    }
    const idx = nested ? new Int32Array(u.length) : pickIdx;
    const to = nested ? new Int32Array(u.length) : pickTo;
    picking = true;
    try {
      await pickAndMove(u, idx, to);
    } finally {
      picking = nested;
    }
  };

  /** Sorts the units of u into the tally or the picks (idx, to), then moves the picks step by step. */
  const pickAndMove = async (u: Units, idx: Int32Array, to: Int32Array): Promise<void> => {
    const { pages: unitPages, size, node } = u;
    const skip = opts.skip;
    let np = 0;
    // Whether the picks' destinations are non-decreasing, and every pick one base page: then
    // the steps are plain slices of `batch` picks, with no further pass to cut or sort them.
    let ascending = true;
    let allBase = true;
    for (let i = 0; i < u.length; i++) {
      const st = node[i]!;
      const n = unitPages[i]!;
      if (skip !== undefined && skip(u.addr.at(i), n)) {
        tally.notSelected += n;
        continue;
      }
      if (st < 0) {
        tallyError(tally, -st, n);
        continue;
      }
      const d = destFor(st);
      if (d === DEST_NONE) tally.notSelected += n;
      else if (d === st) tally.alreadyThere += n;
      else if (limited && budget < n) {
        // --pages is exact: a huge page that does not fit in what is left of it stays (it can
        // only move whole); base pages after it may still fill the count.
        tally.notSelected += n;
      } else {
        if (np > 0 && d < to[np - 1]!) ascending = false;
        if (n !== 1 || size[i] !== 1) allBase = false;
        idx[np] = i;
        to[np] = d;
        np++;
        budget -= n;
      }
    }
    if (opts.dryRun) {
      for (let m = 0; m < np; m++) addFlow(flows, node[idx[m]!]!, to[m]!, unitPages[idx[m]!]!, size[idx[m]!]! * basePage);
      return;
    }
    // Steps of at most `batch` pages (a huge page alone may be more: it cannot be cut).
    for (let j = 0; j < np; ) {
      let k: number;
      let stepSize = 0;
      if (allBase) {
        k = Math.min(np, j + batch);
        stepSize = k - j;
      } else {
        let n = 0;
        k = j;
        while (k < np && (k === j || n + unitPages[idx[k]!]! <= batch)) {
          n += unitPages[idx[k]!]!;
          stepSize += size[idx[k]!]!;
          k++;
        }
      }
      await moveStep(u, idx, to, j, k, stepSize * basePage, ascending);
      j = k;
    }
  };

  const placement = opts.placement === 'query' ? undefined : openPlacement(pid, basePage);
  try {
    // One set of columns for every chunk: a chunk is placed and moved before the next is read.
    // Placement is read at least DEFAULT_BATCH_PAGES at a time when no rate is kept: each
    // pagemap read has a fixed cost (0.5 ms under emulation, 65 of them for 128 MiB at batch
    // 512), and a step's bound is on the move_pages call, which pickAndMove still cuts at
    // `batch`. A paced run reads step by step, so what it moves is never placed long before.
    const readPages = opts.rateBytesPerSecond === undefined && opts.pacer === undefined ? Math.max(batch, DEFAULT_BATCH_PAGES) : batch;
    const u = new Units(basePage, readPages + pmdPages(basePage));
    for (const chunk of chunks(segs, readPages, basePage)) {
      u.length = 0;
      for (const s of chunk) {
        pages += s.count;
        if (placement !== undefined && !s.hugetlb) placement.read(s.vpn, s.count, u);
        else u.pushRun(s.vpn, s.count, 1, s.step / basePage, UNKNOWN_NODE);
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
    const addrs = new PageAddrs(basePage, sel.length);
    sel.forEach((p, m) => addrs.set(m, p.vpn));
    await moveCall(
      addrs.view(0, sel.length),
      Int32Array.from(sel, (p) => p.to),
      sel.reduce((a, p) => a + p.bytes, 0),
      true,
    );
    const after = where(sel.map((p) => p.vpn));
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

/**
 * The segments of a selection, reading numa_maps only when they need it. numa_maps costs a walk
 * of every page of the process (with 128 MiB of 4 KiB pages in the emulated guest, about as
 * long as reading maps, parsing and classifying a chunk of pages together), yet the engine
 * only needs from it whether a VMA is hugetlb and its page size. Private anonymous memory, the
 * heap and stacks (no path in maps, or a bracketed name) are never hugetlb: anonymous hugetlb
 * shows as /anon_hugepage, SysV SHM_HUGETLB as /SYSV..., hugetlbfs files by their path. So
 * when every selected VMA is of that sort and no --min-pages filter asks for resident counts,
 * maps alone decide; otherwise the selection is resolved again on the full records.
 */
export function selectionSegments(pid: number, root: string | undefined, sel: Selection, pageBytes: number): Segment[] {
  if (sel.minPages === undefined) {
    let maps: MapsEntry[];
    try {
      maps = readMaps(pid, root === undefined ? {} : { root });
    } catch (e) {
      if (e instanceof NumapolError && e.code === 'EACCES') throw permissionError(pid, e, 'maps');
      throw e;
    }
    const segs = resolveSelection(
      maps.map((m) => joinVma(m, undefined)),
      sel,
      pid,
      pageBytes,
    );
    if (segs.every((s) => basePagesOnly(s.vma))) return segs;
  }
  return resolveSelection(targetVmas(pid, root), sel, pid, pageBytes);
}

/** An anonymous private VMA, heap or stack: its pages are base pages or transparent huge pages. */
function basePagesOnly(v: Vma): boolean {
  return (v.kind === 'anon' || v.kind === 'heap' || v.kind === 'stack') && !v.path.startsWith('/');
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
