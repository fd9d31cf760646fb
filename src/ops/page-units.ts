/**
 * The units move_pages acts on, with their current node, read from /proc/PID/pagemap instead of
 * asked page by page: a base page, or a whole PMD-mapped transparent huge page (the kernel moves
 * a THP with its head, so passing its 511 tails only costs a page-table walk each and a -EBUSY).
 * Frame numbers map to nodes through the memory block layout; a THP is recognised by frames
 * that pagemap shows contiguous from a frame /proc/kpageflags calls a THP head.
 */
import { NumapolError, ProcessGoneError } from '../errors.js';
import {
  KPF_COMPOUND_HEAD,
  KPF_COMPOUND_TAIL,
  KPF_THP,
  openKpageflags,
  openPagemap,
  pfnsVisible,
  type KpageflagsReader,
  FRAME_ABSENT,
  FRAME_LARGE,
  type PagemapChunk,
  type PagemapReader,
} from '../procfs/pagemap.js';
import { blockNodeTable, pfnToNode, readMemoryBlocks } from '../topology/memory-blocks.js';
import { PageAddrs } from './page-addrs.js';

/** Node of a unit that pagemap could not place: ask the kernel (move_pages query). */
export const UNKNOWN_NODE = -0x7fffffff;
const ENOENT = 2;

/**
 * Units of a range, in address order, as typed columns: a 512 MiB range of base pages is 131072
 * units, so a unit is no object and its address no BigInt (that allocation per page was most of
 * the engine's own cost with 4 KiB pages), and the per-unit numbers are int32.
 */
export class Units {
  length = 0;
  /** Address of the unit's first page (a THP's head), in the layout move_pages takes. */
  readonly addr: PageAddrs;
  /** Base pages the unit counts as in the tally: 1, or pages per PMD for a THP. */
  pages: Int32Array;
  /** Memory of the unit in base pages: pages per PMD for a THP, a huge page's worth for hugetlb. */
  size: Int32Array;
  /** Node the unit is on, -ENOENT when not present (never touched, swapped out), or UNKNOWN_NODE. */
  node: Int32Array;

  constructor(
    readonly pageBytes: number,
    capacity = 64,
  ) {
    this.addr = new PageAddrs(pageBytes, capacity);
    this.pages = new Int32Array(capacity);
    this.size = new Int32Array(capacity);
    this.node = new Int32Array(capacity);
  }

  /** Makes room for `more` units beyond the current length. */
  reserve(more: number): void {
    const need = this.length + more;
    if (need <= this.pages.length) return;
    const cap = Math.max(need, this.pages.length * 2);
    const grow = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.addr.reserve(cap, this.length);
    this.pages = grow(this.pages);
    this.size = grow(this.size);
    this.node = grow(this.node);
  }

  /**
   * Appends `count` units of `pages` tally pages and `size` base pages each, at page numbers
   * vpn, vpn + size, ..., all on `node`.
   */
  pushRun(vpn: number, count: number, pages: number, size: number, node: number): void {
    this.reserve(count);
    const n = this.length;
    this.addr.setRun(n, vpn, count, size);
    this.pages.fill(pages, n, n + count);
    this.size.fill(size, n, n + count);
    this.node.fill(node, n, n + count);
    this.length = n + count;
  }

  /** Page number of unit i's first page. */
  vpnAt(i: number): number {
    return this.addr.vpnAt(i);
  }
}

export function emptyUnits(pageBytes: number, capacity?: number): Units {
  return new Units(pageBytes, capacity);
}

/** Reads the placement of base-page ranges of one process. */
export interface PlacementReader {
  /** Appends the units covering `pages` base pages from page number `startVpn` (address / page size) to `out`. */
  read(startVpn: number, pages: number, out: Units): void;
  /** False once pagemap showed its frame numbers are hidden from us (not CAP_SYS_ADMIN). */
  readonly framesVisible: boolean;
  close(): void;
}

/** Base pages per PMD: a page table holds pageBytes / 8 entries (512 with 4 KiB pages). */
export function pmdPages(pageBytes: number): number {
  return pageBytes / 8;
}

/**
 * Opens the placement sources for `pid`, or undefined when this machine or our privileges do not
 * allow reading placement from pagemap (no memory block devices, pagemap not readable): callers
 * then ask the kernel with move_pages. Throws ProcessGoneError for a gone pid.
 */
export function openPlacement(pid: number, pageBytes: number, root = '/'): PlacementReader | undefined {
  const blocks = readMemoryBlocks({ root });
  if (blocks === undefined) return undefined;
  let pm: PagemapReader;
  try {
    pm = openPagemap(pid, pageBytes, { root });
  } catch (e) {
    if (e instanceof ProcessGoneError) throw e;
    if (e instanceof NumapolError) return undefined;
    throw e;
  }
  // Opened when a THP is first suspected: with THP off (every page its own unit) it may never be.
  let kpfOpened = false;
  let kpfReader: KpageflagsReader | undefined;
  const kpf = (): KpageflagsReader | undefined => {
    if (!kpfOpened) {
      kpfOpened = true;
      kpfReader = openKpageflags(root);
    }
    return kpfReader;
  };
  const nodeOf = pfnToNode(blocks, pageBytes);
  const nodeOfFrame = (pfn: number): number => nodeOf(pfn) ?? UNKNOWN_NODE;
  // Frame → node by table, with UNKNOWN_NODE where the blocks do not tell.
  const raw = blockNodeTable(blocks, pageBytes);
  const table = raw === undefined ? undefined : { shift: raw.shift, node: raw.node.map((x) => (x < 0 ? UNKNOWN_NODE : x)) };
  const pmd = pmdPages(pageBytes);
  let frames = new Int32Array(0);
  const step = BigInt(pageBytes);
  let visible: boolean | undefined;
  return {
    get framesVisible() {
      return visible !== false;
    },
    read(startVpn, pages, out) {
      const c = pm.read(BigInt(startVpn) * step, pages, true);
      if (visible === undefined && c.length > 0) {
        if (pfnsVisible(c)) visible = true;
        else if (anyPresent(c)) visible = false;
      }
      if (frames.length < pages) frames = new Int32Array(Math.max(pages, frames.length * 2));
      c.frames(frames);
      out.reserve(pages);
      // Runs once per base page of the selection: int32 only (see PageAddrs), the columns
      // written in place, a PMD at a time so that only its first page is looked at as a THP.
      const { pages: unitPages, size, node } = out;
      const fr = frames;
      const tn = table?.node;
      const tlen = tn?.length ?? 0;
      const shift = table?.shift ?? 0;
      let n = out.length;
      let runUnit = n;
      let runPage = 0;
      for (let i = 0; i < pages; ) {
        // Pages to the next PMD boundary (a THP can only start there).
        const toBoundary = pmd - ((startVpn + i) % pmd);
        const f = toBoundary === pmd && fr[i] === FRAME_LARGE ? c.pfn(i) : fr[i]!;
        if (toBoundary === pmd && f > 0 && f % pmd === 0 && i + pmd <= pages && isWholeThp(c, i, f, pmd, kpf)) {
          if (n > runUnit) out.addr.setRun(runUnit, startVpn + runPage, n - runUnit, 1);
          out.addr.set(n, startVpn + i);
          unitPages[n] = pmd;
          size[n] = pmd;
          node[n++] = nodeOfFrame(f);
          i += pmd;
          runUnit = n;
          runPage = i;
          continue;
        }
        const end = Math.min(pages, i + toBoundary);
        const n0 = n;
        for (; i < end; i++, n++) {
          const g = fr[i]!;
          let at: number;
          if (g > 0 && tn !== undefined) {
            const b = g >>> shift;
            at = b < tlen ? tn[b]! : UNKNOWN_NODE;
          } else if (g === FRAME_ABSENT) at = -ENOENT;
          else if (g === 0) at = UNKNOWN_NODE;
          else at = nodeOfFrame(g === FRAME_LARGE ? c.pfn(i) : g);
          node[n] = at;
        }
        unitPages.fill(1, n0, n);
        size.fill(1, n0, n);
      }
      if (n > runUnit) out.addr.setRun(runUnit, startVpn + runPage, n - runUnit, 1);
      out.length = n;
    },
    close() {
      pm.close();
      kpfReader?.close();
    },
  };
}

function anyPresent(c: PagemapChunk): boolean {
  for (let i = 0; i < c.length; i++) if (c.present(i)) return true;
  return false;
}

/**
 * Pages i..i+pmd-1 are one transparent huge page mapped whole: their frames are contiguous from
 * a THP head frame, and the frame after them is not its tail (the folio ends with this PMD, so
 * moving its head moves these pages and no others). The frames between are not read one by one:
 * the engine checks after the move that the last page went with the head, and moves the pages
 * one by one when it did not (a folio split or smaller than a PMD).
 */
function isWholeThp(c: PagemapChunk, i: number, pfn: number, pmd: number, kpfOf: () => KpageflagsReader | undefined): boolean {
  if (!c.framesFollow(i, pmd)) return false;
  const kpf = kpfOf();
  if (kpf === undefined) return false;
  const head = kpf.read(pfn, 1);
  if (!head.has(0, KPF_COMPOUND_HEAD) || !head.has(0, KPF_THP)) return false;
  return !kpf.read(pfn + pmd, 1).has(0, KPF_COMPOUND_TAIL);
}
