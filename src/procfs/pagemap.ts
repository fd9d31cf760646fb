/**
 * /proc/PID/pagemap and /proc/kpageflags: the placement of a whole address range in one
 * sequential read. pagemap holds one 64-bit word per virtual page (present, swapped, the page
 * frame number); kpageflags one word of flags per frame, which tells a transparent huge page (a
 * head frame and its tails) apart from base pages that happen to be contiguous.
 *
 * Frame numbers are visible only with CAP_SYS_ADMIN (since 4.2 others read 0): callers check
 * pfnsVisible and fall back to asking the kernel page by page (move_pages) when they are hidden.
 */
import { closeSync, openSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { NumapolError } from '../errors.js';
import { procDir, procError, procPath, readFully, type ProcOptions } from './read.js';

/** Bits of /proc/kpageflags words (include/uapi/linux/kernel-page-flags.h). */
export const KPF_COMPOUND_HEAD = 15;
export const KPF_COMPOUND_TAIL = 16;
/** hugetlbfs page. */
export const KPF_HUGE = 17;
/** No struct page behind this frame (a hole). */
export const KPF_NOPAGE = 20;
/** Transparent huge page: set on the head and on every tail. */
export const KPF_THP = 22;
export const KPF_ZERO_PAGE = 24;

// The files hold native-endian u64 words; we read them as pairs of u32 to stay off BigInt.
const LO = endianness() === 'LE' ? 0 : 1;
const HI = 1 - LO;
const TWO32 = 2 ** 32;

/** PagemapChunk.frames: the page is not present. */
export const FRAME_ABSENT = -1;
/** PagemapChunk.frames: the frame number is 2^31 or more (a machine with 8 TiB or more). */
export const FRAME_LARGE = -2;

/** pagemap words of consecutive virtual pages. */
export class PagemapChunk {
  /** The same words as int32: per-page loops read them without leaving V8's integer paths. */
  private readonly ints: Int32Array;

  constructor(private readonly words: Uint32Array) {
    this.ints = new Int32Array(words.buffer, words.byteOffset, words.length);
  }

  get length(): number {
    return this.words.length >> 1;
  }

  /** Bit 63: a page is mapped in RAM. */
  present(i: number): boolean {
    return this.ints[2 * i + HI]! < 0;
  }

  /** Bit 62: the page is in swap. */
  swapped(i: number): boolean {
    return (this.words[2 * i + HI]! & 0x40000000) !== 0;
  }

  /** Bit 61: a file page or shared anonymous page (since 3.5). */
  fileOrShared(i: number): boolean {
    return (this.words[2 * i + HI]! & 0x20000000) !== 0;
  }

  /** Bit 56: mapped by this process only (since 4.2). */
  exclusive(i: number): boolean {
    return (this.words[2 * i + HI]! & 0x01000000) !== 0;
  }

  /**
   * The frame of every page into out[0..length): FRAME_ABSENT for a page not present, its frame
   * number when below 2^31 (0 when hidden from an unprivileged reader), FRAME_LARGE above (ask
   * pfn(i)). One tight int32 pass, for loops that run once per page.
   */
  frames(out: Int32Array): void {
    const w = this.ints;
    const n = this.length;
    for (let i = 0; i < n; i++) {
      const hi = w[2 * i + HI]!;
      const lo = w[2 * i + LO]!;
      out[i] = hi >= 0 ? FRAME_ABSENT : (hi & 0x7fffff) !== 0 || lo < 0 ? FRAME_LARGE : lo;
    }
  }

  /** Bits 0-54 of a present page: its frame number; 0 when hidden from an unprivileged reader. */
  pfn(i: number): number {
    return this.words[2 * i + LO]! + (this.words[2 * i + HI]! & 0x7fffff) * TWO32;
  }

  /**
   * Whether pages i..i+count-1 are all present and backed by consecutive frames from pfn(i):
   * one tight pass over the words, as a huge page mapped whole looks.
   */
  framesFollow(i: number, count: number): boolean {
    if (i + count > this.length || count <= 0 || !this.present(i)) return false;
    const w = this.words;
    const lo0 = w[2 * i + LO]!;
    // Present bit and the frame's high bits must stay the same unless the low word carries.
    if (lo0 + count - 1 > 0xffffffff) {
      const pfn = this.pfn(i);
      for (let j = 1; j < count; j++) if (!this.present(i + j) || this.pfn(i + j) !== pfn + j) return false;
      return true;
    }
    const hi0 = w[2 * i + HI]! & 0x807fffff;
    for (let j = 1; j < count; j++) {
      const k = 2 * (i + j);
      if (w[k + LO] !== lo0 + j || (w[k + HI]! & 0x807fffff) !== hi0) return false;
    }
    return true;
  }
}

/** True when some present page shows a frame number (frame 0 never backs a user page). */
export function pfnsVisible(c: PagemapChunk): boolean {
  for (let i = 0; i < c.length; i++) if (c.present(i)) return c.pfn(i) !== 0;
  return false;
}

/** An open /proc/PID/pagemap: read ranges of it, then close. */
export interface PagemapReader {
  /**
   * The words of `pages` pages from virtual address `start` (page aligned). With `reuse`, into a
   * buffer the reader keeps: the chunk is valid until the next such read (a loop reading chunk
   * after chunk allocates nothing).
   */
  read(start: bigint, pages: number, reuse?: boolean): PagemapChunk;
  close(): void;
}

/**
 * Opens /proc/PID/pagemap under opts.root. Pages of `pageBytes` (the base page size: pagemap
 * has a word per base page even inside huge pages). Throws ProcessGoneError or EACCES.
 */
export function openPagemap(pid: number, pageBytes: number, opts: ProcOptions = {}): PagemapReader {
  const path = procPath(pid, 'pagemap', opts);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw procError(e, pid, 'pagemap', opts);
  }
  const shift = BigInt(Math.log2(pageBytes));
  let kept = new Uint32Array(0);
  return {
    read(start, pages, reuse = false) {
      let words: Uint32Array;
      if (!reuse) words = new Uint32Array(pages * 2);
      else {
        if (kept.length < pages * 2) kept = new Uint32Array(Math.max(pages * 2, kept.length * 2));
        words = kept.subarray(0, pages * 2);
      }
      const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
      let got: number;
      try {
        got = readFully(fd, bytes, Number((start >> shift) * 8n));
      } catch (e) {
        throw procError(e, pid, 'pagemap', opts);
      }
      // Past the end of the address space the kernel stops: those pages are simply not there.
      if (got < bytes.length) bytes.fill(0, got);
      return new PagemapChunk(words);
    },
    close() {
      closeSync(fd);
    },
  };
}

/** One-shot read of `pages` pagemap words from `start`. */
export function readPagemap(pid: number, start: bigint, pages: number, pageBytes: number, opts: ProcOptions = {}): PagemapChunk {
  const r = openPagemap(pid, pageBytes, opts);
  try {
    return r.read(start, pages);
  } finally {
    r.close();
  }
}

/** kpageflags words of consecutive frames. */
export class KpageflagsChunk {
  constructor(private readonly words: Uint32Array) {}

  get length(): number {
    return this.words.length >> 1;
  }

  /** Whether flag bit `bit` (a KPF_* constant, below 64) is set for the i-th frame. */
  has(i: number, bit: number): boolean {
    const w = bit < 32 ? this.words[2 * i + LO]! : this.words[2 * i + HI]!;
    return ((w >>> (bit & 31)) & 1) === 1;
  }
}

/** An open /proc/kpageflags (root only). */
export interface KpageflagsReader {
  /** Flags of `count` frames from `pfn`; frames past the end of memory read as all zeros. */
  read(pfn: number, count: number): KpageflagsChunk;
  close(): void;
}

/**
 * Opens /proc/kpageflags under `root`, or returns undefined when it cannot be read (no
 * CONFIG_PROC_PAGE_MONITOR, or not root): callers then treat every page as a base page.
 */
export function openKpageflags(root = '/'): KpageflagsReader | undefined {
  const path = join(procDir(root), 'kpageflags');
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM') return undefined;
    throw new NumapolError(code ?? 'EIO', `cannot open ${path}: ${(e as Error).message}`, { cause: e, details: { path } });
  }
  return {
    read(pfn, count) {
      const words = new Uint32Array(count * 2);
      const bytes = new Uint8Array(words.buffer);
      let got: number;
      try {
        got = readFully(fd, bytes, pfn * 8);
      } catch (e) {
        throw new NumapolError('EIO', `cannot read ${path}: ${(e as Error).message}`, { cause: e, details: { path, pfn } });
      }
      if (got < bytes.length) bytes.fill(0, got);
      return new KpageflagsChunk(words);
    },
    close() {
      closeSync(fd);
    },
  };
}
