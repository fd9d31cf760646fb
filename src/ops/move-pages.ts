/**
 * The engine under `move`, paced `migrate` and `shm --move`: walks the pages of some segments in
 * batches, asks the kernel where each page is (move_pages with no nodes), picks the pages to move
 * and their destination, moves them with move_pages, and sorts every page's outcome into a tally.
 * A dry run stops after the query: the plan comes from the real placement.
 */
import { statSync } from 'node:fs';
import { NumapolError, ProcessGoneError } from '../errors.js';
import { errnoName, movePagesCounted, queryPageNodes, SyscallError } from '../kernel/index.js';
import { readVmas, type Vma } from '../procfs/vmas.js';
import type { Segment } from './address-range.js';
import { Pacer, batchPagesFor, checkPaceOptions, type PaceOptions, type PaceStats } from './pace.js';

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
  /** Move at most this many pages (the seeds' `N0(100)>1`). */
  readonly maxPages?: number;
  readonly dryRun?: boolean;
  readonly onProgress?: (p: Progress) => void;
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

function tallyError(t: PageTally, errno: number): void {
  if (errno === ENOENT || errno === EFAULT) t.notPresent++;
  else if (errno === EBUSY) t.busy++;
  else if (errno === ENOMEM) t.noMemory++;
  else if (errno === EACCES) t.shared++;
  else {
    const name = errnoName(errno);
    t.other[name] = (t.other[name] ?? 0) + 1;
  }
}

/** Page size of the pages of a segment: huge for hugetlb VMAs, the base page otherwise. */
function stepOf(seg: Segment, basePage: number): bigint {
  const kib = seg.vma.hugetlb ? seg.vma.pageSizeKiB : undefined;
  return BigInt(kib !== undefined && kib * 1024 > basePage ? kib * 1024 : basePage);
}

/** A PMD-sized transparent huge page: 2 MiB with 4 KiB pages (x86_64, arm64 4K). */
const THP_SPAN = 2n << 20n;

/**
 * Batches of page addresses over the segments, with each page's size in bytes. A batch ends only
 * at a 2 MiB boundary (up to 511 pages past `batch`), so a transparent huge page never straddles
 * two batches: its tail pages, which move with the head, are then accounted in the same step.
 */
function* batches(segs: readonly Segment[], batch: number, basePage: number): Generator<{ addrs: BigUint64Array; bytes: Float64Array }> {
  const cap = batch + Number(THP_SPAN / BigInt(basePage));
  let addrs = new BigUint64Array(cap);
  let bytes = new Float64Array(cap);
  let n = 0;
  // Small batches (tight stall bounds) take priority over accounting huge pages in one step.
  const aligned = batch >= Number(THP_SPAN / BigInt(basePage));
  for (const s of segs) {
    const step = stepOf(s, basePage);
    const size = Number(step);
    for (let a = (s.start / step) * step; a < s.end; a += step) {
      addrs[n] = a;
      bytes[n] = size;
      n++;
      if ((n >= batch && (!aligned || (a + step) % THP_SPAN === 0n)) || n === cap) {
        yield { addrs: addrs.subarray(0, n), bytes: bytes.subarray(0, n) };
        addrs = new BigUint64Array(cap);
        bytes = new Float64Array(cap);
        n = 0;
      }
    }
  }
  if (n > 0) yield { addrs: addrs.subarray(0, n), bytes: bytes.subarray(0, n) };
}

function totalBytes(segs: readonly Segment[], basePage: number): number {
  let b = 0;
  for (const s of segs) {
    const step = stepOf(s, basePage);
    b += Number(((s.end + step - 1n) / step - s.start / step) * step);
  }
  return b;
}

function addFlow(flows: Map<string, Flow>, from: number, to: number, bytes: number): void {
  const k = `${from}>${to}`;
  const f = flows.get(k);
  if (f === undefined) flows.set(k, { from, to, pages: 1, bytes });
  else {
    f.pages++;
    f.bytes += bytes;
  }
}

/**
 * Moves the pages of `segs` in process `pid`: each present page on node N goes to destOf(N)
 * (undefined: leave it). Throws SyscallError for whole-call failures (ESRCH gone, EPERM another
 * user's process, ENODEV a bad node); per-page failures are counted in the tally.
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
  const pacer = new Pacer(opts);
  const tally = emptyTally();
  const flows = new Map<string, Flow>();
  const bytesTotal = totalBytes(segs, basePage);
  let budget = opts.maxPages ?? Infinity;
  let pages = 0;
  let bytesMoved = 0;
  let lastReport = 0;
  // Pages the kernel gave up on (a racing writer, a transient pin): retried after the pass.
  const busy: { addr: bigint; from: number; to: number; bytes: number }[] = [];
  for (const { addrs, bytes } of batches(segs, batch, basePage)) {
    pages += addrs.length;
    const where = queryPageNodes(pid, addrs);
    const pick: number[] = [];
    for (let i = 0; i < addrs.length; i++) {
      const st = where[i]!;
      if (st < 0) {
        tallyError(tally, -st);
        continue;
      }
      const d = destOf(st);
      if (d === undefined) tally.notSelected++;
      else if (d === st) tally.alreadyThere++;
      else if (budget <= 0) tally.notSelected++;
      else {
        pick.push(i);
        budget--;
      }
    }
    if (pick.length === 0) continue;
    if (opts.dryRun) {
      for (const i of pick) addFlow(flows, where[i]!, destOf(where[i]!)!, bytes[i]!);
      continue;
    }
    const sel = new BigUint64Array(pick.length);
    const dest = new Int32Array(pick.length);
    let selBytes = 0;
    pick.forEach((i, j) => {
      sel[j] = addrs[i]!;
      dest[j] = destOf(where[i]!)!;
      selBytes += bytes[i]!;
    });
    let status: Int32Array | undefined;
    let recheck = false;
    await pacer.step(selBytes, () => {
      try {
        const r = movePagesCounted(pid, sel, dest, opts.flags);
        status = r.status;
        recheck = r.notMoved > 0;
      } catch (e) {
        // A migration that cannot allocate fails the whole call: see per page what did move.
        if (!(e instanceof SyscallError && e.errno === ENOMEM)) throw e;
      }
    });
    let after: Int32Array;
    if (status === undefined) {
      after = queryPageNodes(pid, sel);
      for (let j = 0; j < sel.length; j++) {
        if (after[j] === dest[j]) {
          tally.moved++;
          addFlow(flows, where[pick[j]!]!, dest[j]!, bytes[pick[j]!]!);
          bytesMoved += bytes[pick[j]!]!;
        } else tally.noMemory++;
      }
    } else {
      // Tail pages of a huge page that moved with its head report -EBUSY; a failed migration can
      // leave the destination in the status: ask the kernel where the pages really are.
      if (!recheck) recheck = status.some((s) => s === -EBUSY);
      after = recheck ? queryPageNodes(pid, sel) : status;
      for (let j = 0; j < sel.length; j++) {
        const i = pick[j]!;
        if (after[j] === dest[j]) {
          tally.moved++;
          addFlow(flows, where[i]!, dest[j]!, bytes[i]!);
          bytesMoved += bytes[i]!;
        } else if (status[j]! < 0 && status[j] !== -EBUSY) tallyError(tally, -status[j]!);
        else {
          tally.busy++;
          busy.push({ addr: sel[j]!, from: where[i]!, to: dest[j]!, bytes: bytes[i]! });
        }
      }
    }
    if (opts.onProgress) {
      const now = performance.now();
      if (now - lastReport > 100) {
        lastReport = now;
        opts.onProgress({ bytesDone: bytesMoved, bytesTotal, elapsedMs: now - t0 });
      }
    }
  }
  for (let pass = 0; pass < BUSY_RETRIES && busy.length > 0 && !opts.dryRun; pass++) {
    const sel = BigUint64Array.from(busy.map((b) => b.addr));
    const dest = Int32Array.from(busy.map((b) => b.to));
    await pacer.step(
      busy.reduce((a, b) => a + b.bytes, 0),
      () => {
        try {
          movePagesCounted(pid, sel, dest, opts.flags);
        } catch (e) {
          if (!(e instanceof SyscallError && e.errno === ENOMEM)) throw e;
        }
      },
    );
    const after = queryPageNodes(pid, sel);
    const still: typeof busy = [];
    busy.forEach((b, j) => {
      if (after[j] === b.to) {
        tally.busy--;
        tally.moved++;
        addFlow(flows, b.from, b.to, b.bytes);
        bytesMoved += b.bytes;
      } else still.push(b);
    });
    busy.splice(0, busy.length, ...still);
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
