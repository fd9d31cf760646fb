/**
 * Where each page of a process is, recorded so that it can be put back: the daemon records the
 * placement of the pages an action is about to move, and `undo` returns each page to the node it
 * was on ("as far as the kernel allows": a page may since have been freed, be busy, or find its
 * old node full; each such page is counted, not hidden).
 *
 * One signed 16-bit node number per base page, per VMA, deflated and base64-encoded: interleaved
 * memory changes node every page, yet its pattern repeats, so 1 GiB (262,144 pages) of any regular
 * layout keeps to a few KB in the journal.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { movePagesCounted, pageSize, queryPageNodes } from '../../kernel/index.js';
import type { Vma } from '../../procfs/vmas.js';
import { isMovableVma } from '../address-range.js';
import { moveFlags } from '../move.js';
import { emptyTally, processError, tallyError, targetVmas, type Flow, type PageTally } from '../move-pages.js';
import type { OpsOptions } from '../options.js';
import { Pacer, batchPagesFor, checkPaceOptions, type PaceOptions } from '../pace.js';
import { vmaMatcher, type VmaFilter } from '../vma-filter.js';

/** A page with no recorded node: not present, or on a node the record was not asked about. */
const NONE = -1;
/** Pages asked about per move_pages query. */
const QUERY_CHUNK = 16384;
/** Passes over the pages the kernel called busy. */
const RETRIES = 3;
/** EBUSY, EAGAIN: the page could not be taken this time (isolation failed): worth another try. */
const TRANSIENT = new Set([16, 11]);

export interface PlacementSegment {
  /** First page, hex ("0x7f…"). */
  readonly start: string;
  readonly pages: number;
  /** Int16 node per page (-1: none), deflated, base64. */
  readonly nodes: string;
}

export interface PagePlacement {
  readonly pageSize: number;
  readonly segments: readonly PlacementSegment[];
  /** Recorded pages per node. */
  readonly pagesPerNode: Readonly<Record<number, number>>;
}

export interface RecordOptions extends OpsOptions {
  /** Which VMAs (default: every movable one). */
  readonly filter?: VmaFilter;
  /** Record only pages now on these nodes (default: every page present). */
  readonly nodes?: readonly number[];
}

/** Records the node of every present page of the selected memory of `pid`. */
export function recordPagePlacement(pid: number, opts: RecordOptions = {}): PagePlacement {
  const ps = pageSize();
  const keep = opts.filter === undefined ? () => true : vmaMatcher(opts.filter);
  const only = opts.nodes === undefined ? undefined : new Set(opts.nodes);
  const perNode: Record<number, number> = {};
  const segments: PlacementSegment[] = [];
  const vmas = targetVmas(pid, opts.root).filter((v) => isMovableVma(v) && keep(v) && hasPages(v, only));
  try {
    for (const v of vmas) {
      const pages = Number((v.end - v.start) / BigInt(ps));
      const nodes = new Int16Array(pages).fill(NONE);
      let any = false;
      for (let i = 0; i < pages; i += QUERY_CHUNK) {
        const n = Math.min(QUERY_CHUNK, pages - i);
        const where = queryPageNodes(pid, addressesOf(v.start + BigInt(i * ps), n, ps));
        for (let j = 0; j < n; j++) {
          const node = where[j]!;
          if (node < 0 || (only !== undefined && !only.has(node))) continue;
          nodes[i + j] = node;
          perNode[node] = (perNode[node] ?? 0) + 1;
          any = true;
        }
      }
      if (any) segments.push({ start: `0x${v.start.toString(16)}`, pages, nodes: encodeNodes(nodes) });
    }
  } catch (e) {
    throw processError(e, pid);
  }
  return { pageSize: ps, segments, pagesPerNode: perNode };
}

export interface RestoreOptions extends OpsOptions, PaceOptions {
  /** Move pages other processes map too (default: when root). */
  readonly moveShared?: boolean;
}

export interface RestoreReport {
  readonly pid: number;
  /** Per page: moved back, already back, gone (not present), or why it stayed. */
  readonly tally: PageTally;
  /** Pages recorded on some node that are no longer mapped at all (unmapped since). */
  readonly unmapped: number;
  readonly flows: readonly Flow[];
  readonly steps: number;
  readonly longestStepMs: number;
}

/** Moves every recorded page that is now elsewhere back to its recorded node. */
export async function restorePagePlacement(pid: number, placement: PagePlacement, opts: RestoreOptions = {}): Promise<RestoreReport> {
  checkPaceOptions(opts);
  const ps = placement.pageSize;
  const pacer = new Pacer(opts);
  const batch = batchPagesFor(opts, ps);
  const flags = moveFlags(opts.moveShared);
  const tally = emptyTally();
  const flows = new Map<string, Flow>();
  let unmapped = 0;
  const vmas = targetVmas(pid, opts.root);
  // Pending moves, flushed as one move_pages call of at most `batch` pages.
  let addrs: bigint[] = [];
  let dest: number[] = [];
  let from: number[] = [];
  // Pages the kernel could not take this time (just migrated pages not back on an LRU list yet,
  // a racing fault): tried again after the pass, as the move engine does.
  let busy: { addr: bigint; to: number; from: number }[] = [];
  const flush = async (): Promise<void> => {
    if (addrs.length === 0) return;
    const a = BigUint64Array.from(addrs);
    const d = Int32Array.from(dest);
    const f = from;
    addrs = [];
    dest = [];
    from = [];
    const r = await pacer.step(a.length * ps, () => movePagesCounted(pid, a, d, flags));
    // After a partial failure the statuses of pages past the failing one are not set: ask.
    const st = r.notMoved === 0 ? r.status : queryPageNodes(pid, a);
    for (let i = 0; i < a.length; i++) {
      const s = st[i]!;
      if (s === d[i]) {
        tally.moved++;
        addFlow(flows, f[i]!, d[i]!, ps);
      } else if (s < 0 && !TRANSIENT.has(-s)) tallyError(tally, -s, 1);
      else busy.push({ addr: a[i]!, to: d[i]!, from: f[i]! });
    }
  };
  const push = async (addr: bigint, to: number, now: number): Promise<void> => {
    addrs.push(addr);
    dest.push(to);
    from.push(now);
    if (addrs.length >= batch) await flush();
  };
  try {
    for (const seg of placement.segments) {
      const start = BigInt(seg.start);
      const want = decodeNodes(seg.nodes, seg.pages);
      for (let i = 0; i < seg.pages; i += QUERY_CHUNK) {
        const n = Math.min(QUERY_CHUNK, seg.pages - i);
        const base = start + BigInt(i * ps);
        const live = mappedPages(vmas, base, n, ps);
        const now = queryPageNodes(pid, addressesOf(base, n, ps));
        for (let j = 0; j < n; j++) {
          const w = want[i + j]!;
          if (w === NONE) continue;
          if (!live[j]) unmapped++;
          else if (now[j]! < 0) tallyError(tally, -now[j]!, 1);
          else if (now[j] === w) tally.alreadyThere++;
          else await push(base + BigInt(j * ps), w, now[j]!);
        }
      }
    }
    await flush();
    for (let round = 0; round < RETRIES && busy.length > 0; round++) {
      const again = busy;
      busy = [];
      for (const b of again) await push(b.addr, b.to, b.from);
      await flush();
    }
    tally.busy += busy.length;
  } catch (e) {
    throw processError(e, pid);
  }
  const pace = pacer.stats();
  return { pid, tally, unmapped, flows: [...flows.values()].sort((a, b) => a.from - b.from || a.to - b.to), steps: pace.steps, longestStepMs: pace.longestStepMs };
}

function hasPages(v: Vma, only: ReadonlySet<number> | undefined): boolean {
  const nodes = Object.entries(v.pagesPerNode).filter(([, p]) => p > 0).map(([n]) => Number(n));
  return only === undefined ? nodes.length > 0 : nodes.some((n) => only.has(n));
}

function addressesOf(start: bigint, n: number, ps: number): BigUint64Array {
  const a = new BigUint64Array(n);
  const step = BigInt(ps);
  for (let i = 0, x = start; i < n; i++, x += step) a[i] = x;
  return a;
}

/** Which of the n pages from `base` lie in a movable VMA now (move_pages would fail the rest with EFAULT). */
function mappedPages(vmas: readonly Vma[], base: bigint, n: number, ps: number): boolean[] {
  const out = new Array<boolean>(n).fill(false);
  const end = base + BigInt(n * ps);
  for (const v of vmas) {
    if (v.end <= base || v.start >= end || !isMovableVma(v)) continue;
    const from = v.start > base ? Number((v.start - base) / BigInt(ps)) : 0;
    const to = v.end < end ? Number((v.end - base) / BigInt(ps)) : n;
    for (let i = from; i < to; i++) out[i] = true;
  }
  return out;
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

export function encodeNodes(nodes: Int16Array): string {
  return deflateRawSync(Buffer.from(nodes.buffer, nodes.byteOffset, nodes.byteLength)).toString('base64');
}

export function decodeNodes(text: string, pages: number): Int16Array {
  const raw = inflateRawSync(Buffer.from(text, 'base64'));
  if (raw.byteLength !== pages * 2) throw new RangeError(`page placement of ${pages} pages holds ${raw.byteLength} bytes`);
  const out = new Int16Array(pages);
  Buffer.from(out.buffer).set(raw);
  return out;
}
