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
  type PagemapChunk,
  type PagemapReader,
} from '../procfs/pagemap.js';
import { pfnToNode, readMemoryBlocks } from '../topology/memory-blocks.js';

/** Node of a unit that pagemap could not place: ask the kernel (move_pages query). */
export const UNKNOWN_NODE = -0x7fffffff;
const ENOENT = 2;

/** Units of a range, in address order (struct of arrays: a 512 MiB range is 131072 entries). */
export interface Units {
  /** Address of the unit's first page (a THP's head). */
  readonly addrs: bigint[];
  /** Base pages in the unit: 1, or pages per PMD for a THP (the tally counts base pages). */
  readonly pages: number[];
  readonly bytes: number[];
  /** Node the unit is on, -ENOENT when not present (never touched, swapped out), or UNKNOWN_NODE. */
  readonly node: number[];
}

export function emptyUnits(): Units {
  return { addrs: [], pages: [], bytes: [], node: [] };
}

export function pushUnit(u: Units, addr: bigint, pages: number, bytes: number, node: number): void {
  u.addrs.push(addr);
  u.pages.push(pages);
  u.bytes.push(bytes);
  u.node.push(node);
}

/** Reads the placement of base-page ranges of one process. */
export interface PlacementReader {
  /** Appends the units covering `pages` base pages from `start` (page aligned) to `out`. */
  read(start: bigint, pages: number, out: Units): void;
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
  const kpf = openKpageflags(root);
  const nodeOf = pfnToNode(blocks, pageBytes);
  const pmd = pmdPages(pageBytes);
  const step = BigInt(pageBytes);
  let visible: boolean | undefined;
  return {
    get framesVisible() {
      return visible !== false;
    },
    read(start, pages, out) {
      const c = pm.read(start, pages);
      if (visible === undefined && c.length > 0) {
        if (pfnsVisible(c)) visible = true;
        else if (anyPresent(c)) visible = false;
      }
      const first = Number((start / step) % BigInt(pmd));
      const pmdStep = BigInt(pmd) * step;
      // The address advances by addition: one BigInt operation per unit.
      let addr = start;
      for (let i = 0; i < pages; ) {
        const pfn = !c.present(i) ? -1 : visible === false ? 0 : c.pfn(i);
        if (pfn > 0 && kpf !== undefined && (first + i) % pmd === 0 && i + pmd <= pages && pfn % pmd === 0 && isWholeThp(c, i, pfn, pmd, kpf)) {
          pushUnit(out, addr, pmd, pmd * pageBytes, nodeOf(pfn) ?? UNKNOWN_NODE);
          i += pmd;
          addr += pmdStep;
          continue;
        }
        pushUnit(out, addr, 1, pageBytes, pfn < 0 ? -ENOENT : pfn === 0 ? UNKNOWN_NODE : (nodeOf(pfn) ?? UNKNOWN_NODE));
        i++;
        addr += step;
      }
    },
    close() {
      pm.close();
      kpf?.close();
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
function isWholeThp(c: PagemapChunk, i: number, pfn: number, pmd: number, kpf: KpageflagsReader): boolean {
  if (!c.framesFollow(i, pmd)) return false;
  const head = kpf.read(pfn, 1);
  if (!head.has(0, KPF_COMPOUND_HEAD) || !head.has(0, KPF_THP)) return false;
  return !kpf.read(pfn + pmd, 1).has(0, KPF_COMPOUND_TAIL);
}
