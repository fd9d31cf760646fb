/**
 * /proc/PID/numa_maps: per VMA, the policy in force and where its pages are.
 *
 *   %08lx <policy> [file=<path>|heap|stack] [huge] [anon=N] [dirty=N] [mapped=N] [mapmax=N]
 *         [swapcache=N] [active=N] [writeback=N] [N<nid>=<pages>]... kernelpagesize_kB=N
 *
 * The policy text can contain spaces ("prefer (many):0,2", "weighted interleave:0-3"), so it runs
 * up to the first token that is a field. The 2005 format of the seeds ("prefer=1 MaxRef=42 Pages=11
 * Mapped=11 Anon=2 N1=2") parses too. The policy stays text here; src/policy/ parses it.
 */
import { unescapeNumaMapsPath } from './escape.js';
import { hexSpanToBigInt, isHexSpan } from './hex.js';
import { linesOf, linesOfChunks } from './lines.js';
import { readProcChunks, readProcText, type ProcOptions } from './read.js';

export interface NumaMapsEntry {
  /** VMA start address (the join key with maps). */
  start: bigint;
  /** Policy exactly as printed: "default", "bind:0-1", "prefer (many):0,2", old "prefer=1". */
  policyText: string;
  /** Mapped file, with the kernel's \040-style escapes decoded. */
  file?: string;
  /** The brk heap. */
  heap: boolean;
  /** The main stack (or a thread's stack on kernels 3.4-4.4, then `stackTid` is set). */
  stack: boolean;
  stackTid?: number;
  /** hugetlb VMA: page counts are in huge pages of kernelPageSizeKiB. */
  huge: boolean;
  // Counters are absent when the kernel did not print them (it omits zeros; see vmas.ts for the
  // normalized values).
  anon?: number;
  dirty?: number;
  mapped?: number;
  mapmax?: number;
  swapcache?: number;
  active?: number;
  writeback?: number;
  /** node id → pages present on that node (only nodes with pages). */
  pagesPerNode: Record<number, number>;
  /** Sum of pagesPerNode: the VMA's resident pages. */
  pages: number;
  kernelPageSizeKiB?: number;
  /** 2005 format only: Pages= (its MaxRef= is stored as mapmax, Mapped= as mapped, Anon= as anon). */
  legacyPages?: number;
  /** Tokens this parser does not know (future kernels), by key; a bare word has value ''. */
  other?: Record<string, string>;
}

/** Whether line[from, to) is a field token, i.e. the policy text has ended. */
function isFieldAt(line: string, from: number, to: number): boolean {
  const c = line.charCodeAt(from);
  if (c === 104 /* h */ && to - from === 4 && (line.startsWith('heap', from) || line.startsWith('huge', from))) return true;
  if (c === 115 /* s */ && line.startsWith('stack', from) && (to - from === 5 || line.charCodeAt(from + 5) === 58)) return true;
  // key=value with an identifier key; "(many)=static:0" is policy, not a field.
  for (let i = from; i < to; i++) {
    const k = line.charCodeAt(i);
    if (k === 61 /* = */) return i > from;
    const ok = (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95 || (i > from && k >= 48 && k <= 57);
    if (!ok) return false;
  }
  return false;
}

/** Decimal digits of line[from, to) as a number; -1 if empty or not all digits. */
function decimalAt(line: string, from: number, to: number): number {
  if (to <= from) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

function tokenEnd(line: string, from: number, len: number): number {
  const sp = line.indexOf(' ', from);
  return sp < 0 || sp > len ? len : sp;
}

function skipBlanks(line: string, from: number, len: number): number {
  while (from < len && line.charCodeAt(from) === 32) from++;
  return from;
}

/**
 * Store a counter by its key (current and 2005 spellings). Named stores, not a keyed lookup: V8
 * keeps these monomorphic, which matters at 100,000 lines.
 */
function setCounter(e: NumaMapsEntry, line: string, from: number, eq: number, value: number): boolean {
  switch (eq - from) {
    case 4:
      if (line.startsWith('anon', from) || line.startsWith('Anon', from)) e.anon = value;
      else return false;
      return true;
    case 5:
      if (line.startsWith('dirty', from) || line.startsWith('Dirty', from)) e.dirty = value;
      else if (line.startsWith('Pages', from)) e.legacyPages = value;
      else return false;
      return true;
    case 6:
      if (line.startsWith('mapped', from) || line.startsWith('Mapped', from)) e.mapped = value;
      else if (line.startsWith('mapmax', from) || line.startsWith('MaxRef', from)) e.mapmax = value;
      else if (line.startsWith('active', from)) e.active = value;
      else return false;
      return true;
    case 9:
      if (line.startsWith('swapcache', from)) e.swapcache = value;
      else if (line.startsWith('writeback', from)) e.writeback = value;
      else return false;
      return true;
    case 17:
      if (line.startsWith('kernelpagesize_kB', from)) e.kernelPageSizeKiB = value;
      else return false;
      return true;
  }
  return false;
}

/** The line's length without a trailing CR (a captured file may have one). */
function lineLength(line: string): number {
  const len = line.length;
  return len > 0 && line.charCodeAt(len - 1) === 13 ? len - 1 : len;
}

/** Where a line's address token ends; -1 when the line has none (not an entry). */
function addressEnd(line: string, from: number, len: number): number {
  const end = tokenEnd(line, from, len);
  return isHexSpan(line, from, end) ? end : -1;
}

/**
 * Where the policy text that starts at `from` (after the address) ends: it runs up to the first
 * token that is a field, which starts at the next non-blank after the returned index.
 */
function policyEnd(line: string, from: number, len: number): number {
  let end = tokenEnd(line, from, len);
  let to = end;
  // "weighted interleave=static:0-3": the second word looks like a field but belongs to the mode.
  const weighted = end - from === 8 && line.startsWith('weighted', from);
  let pos = skipBlanks(line, end, len);
  let second = true;
  while (pos < len) {
    end = tokenEnd(line, pos, len);
    if (!(second && weighted) && isFieldAt(line, pos, end)) break;
    second = false;
    to = end;
    pos = skipBlanks(line, end, len);
  }
  return to;
}

function policyTextOf(line: string, from: number, to: number): string {
  const text = line.slice(from, to);
  return text.includes('  ') ? text.replace(/ {2,}/g, ' ') : text;
}

/**
 * Only the policy text of a numa_maps line (undefined when the line is not an entry), without
 * parsing its fields: inferring a thread's policy reads this from ~40 lines per thread.
 */
export function numaMapsLinePolicy(line: string): string | undefined {
  const len = lineLength(line);
  const from = skipBlanks(line, 0, len);
  const end = addressEnd(line, from, len);
  if (end < 0) return undefined;
  const pos = skipBlanks(line, end, len);
  if (pos >= len) return undefined;
  return policyTextOf(line, pos, policyEnd(line, pos, len));
}

/**
 * Parse one numa_maps line; undefined when it has no address. Scans the line in place (no split,
 * no regex): this runs once per VMA and processes can have 100,000 of them.
 */
export function parseNumaMapsLine(line: string): NumaMapsEntry | undefined {
  const len = lineLength(line);
  let pos = skipBlanks(line, 0, len);
  let end = tokenEnd(line, pos, len);
  const start = hexSpanToBigInt(line, pos, end);
  if (start === undefined) return undefined;
  pos = skipBlanks(line, end, len);
  if (pos >= len) return undefined;
  const policyTo = policyEnd(line, pos, len);
  const policyText = policyTextOf(line, pos, policyTo);
  pos = skipBlanks(line, policyTo, len);
  const e: NumaMapsEntry = { start, policyText, heap: false, stack: false, huge: false, pagesPerNode: {}, pages: 0 };
  while (pos < len) {
    end = tokenEnd(line, pos, len);
    const c = line.charCodeAt(pos);
    const eq = line.indexOf('=', pos);
    if (eq < 0 || eq >= end) {
      // A bare word.
      if (end - pos === 4 && c === 104 && line.startsWith('heap', pos)) e.heap = true;
      else if (end - pos === 4 && c === 104 && line.startsWith('huge', pos)) e.huge = true;
      else if (c === 115 && line.startsWith('stack', pos) && (end - pos === 5 || line.charCodeAt(pos + 5) === 58)) {
        e.stack = true;
        const tid = end - pos > 6 ? decimalAt(line, pos + 6, end) : -1;
        if (tid >= 0) e.stackTid = tid;
      } else (e.other ??= {})[line.slice(pos, end)] = '';
      pos = skipBlanks(line, end, len);
      continue;
    }
    if (c === 78 /* N */) {
      const node = decimalAt(line, pos + 1, eq);
      const pages = decimalAt(line, eq + 1, end);
      if (node >= 0 && pages >= 0) {
        e.pagesPerNode[node] = (e.pagesPerNode[node] ?? 0) + pages;
        e.pages += pages;
        pos = skipBlanks(line, end, len);
        continue;
      }
    }
    if (c === 102 /* f */ && eq - pos === 4 && line.startsWith('file', pos)) {
      // The kernel escapes blanks in the path; a capture that did not still joins up here.
      let to = end;
      let next = skipBlanks(line, end, len);
      while (next < len) {
        const nextEnd = tokenEnd(line, next, len);
        if (isFieldAt(line, next, nextEnd)) break;
        to = nextEnd;
        next = skipBlanks(line, nextEnd, len);
      }
      e.file = unescapeNumaMapsPath(line.slice(eq + 1, to));
      pos = next;
      continue;
    }
    const num = decimalAt(line, eq + 1, end);
    if (num < 0 || !setCounter(e, line, pos, eq, num)) (e.other ??= {})[line.slice(pos, eq)] = line.slice(eq + 1, end);
    pos = skipBlanks(line, end, len);
  }
  return e;
}

/** Parse numa_maps text, skipping lines that are not entries. */
export function parseNumaMaps(text: string): NumaMapsEntry[] {
  const out: NumaMapsEntry[] = [];
  for (const line of linesOf(text)) {
    const e = parseNumaMapsLine(line);
    if (e !== undefined) out.push(e);
  }
  return out;
}

/** Read /proc/PID/numa_maps, or a thread's (its own task policy shows on VMAs without one) with `tid`. */
export function readNumaMaps(pid: number, opts: ProcOptions = {}): NumaMapsEntry[] {
  return parseNumaMaps(readProcText(pid, 'numa_maps', opts));
}

/** Stream numa_maps entry by entry while the kernel is still walking page tables. */
export async function* streamNumaMaps(pid: number, opts: ProcOptions = {}): AsyncGenerator<NumaMapsEntry> {
  for await (const line of linesOfChunks(readProcChunks(pid, 'numa_maps', opts))) {
    const e = parseNumaMapsLine(line);
    if (e !== undefined) yield e;
  }
}
