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
import { hexToBigInt } from './hex.js';
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

/** Tokens that end the policy text. */
function isFieldToken(tok: string): boolean {
  const c = tok.charCodeAt(0);
  if (c === 104 /* h */ && (tok === 'heap' || tok === 'huge')) return true;
  if (c === 115 /* s */ && (tok === 'stack' || tok.startsWith('stack:'))) return true;
  const eq = tok.indexOf('=');
  if (eq <= 0) return false;
  // key=value with an identifier key; "(many)=static:0" is policy, not a field.
  for (let i = 0; i < eq; i++) {
    const k = tok.charCodeAt(i);
    const ok = (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95 || (i > 0 && k >= 48 && k <= 57);
    if (!ok) return false;
  }
  return true;
}

/** Parse one numa_maps line; undefined when it has no address. */
export function parseNumaMapsLine(line: string): NumaMapsEntry | undefined {
  const toks = line.split(' ');
  // Tolerate doubled or trailing blanks and a CR from a captured file.
  let n = toks.length;
  if (n > 0 && toks[n - 1]!.endsWith('\r')) toks[n - 1] = toks[n - 1]!.slice(0, -1);
  if (toks.indexOf('') >= 0) {
    const kept = toks.filter((t) => t !== '');
    toks.length = 0;
    toks.push(...kept);
    n = toks.length;
  }
  if (n < 2) return undefined;
  let start: bigint;
  try {
    start = hexToBigInt(toks[0]!);
  } catch {
    return undefined;
  }
  let policyText = toks[1]!;
  let i = 2;
  while (i < n) {
    const t = toks[i]!;
    // "weighted interleave=static:0-3": the second word looks like a field but belongs to the mode.
    if (!(toks[i - 1] === 'weighted' && i === 2) && isFieldToken(t)) break;
    policyText += ' ' + t;
    i++;
  }
  const e: NumaMapsEntry = { start, policyText, heap: false, stack: false, huge: false, pagesPerNode: {}, pages: 0 };
  for (; i < n; i++) {
    const t = toks[i]!;
    const eq = t.indexOf('=');
    if (eq < 0) {
      if (t === 'heap') e.heap = true;
      else if (t === 'stack') e.stack = true;
      else if (t === 'huge') e.huge = true;
      else if (t.startsWith('stack:')) {
        e.stack = true;
        e.stackTid = Number(t.slice(6));
      } else (e.other ??= {})[t] = '';
      continue;
    }
    const key = t.slice(0, eq);
    const val = t.slice(eq + 1);
    if (key === 'file') {
      // The kernel escapes blanks in the path; a capture that did not still joins up here.
      let path = val;
      while (i + 1 < n && !isFieldToken(toks[i + 1]!)) path += ' ' + toks[++i]!;
      e.file = unescapeNumaMapsPath(path);
      continue;
    }
    const num = Number(val);
    if (val === '' || !Number.isFinite(num)) {
      (e.other ??= {})[key] = val;
      continue;
    }
    const k0 = key.charCodeAt(0);
    if (k0 === 78 /* N */ && key.length > 1 && isDigits(key, 1)) {
      const node = Number(key.slice(1));
      e.pagesPerNode[node] = (e.pagesPerNode[node] ?? 0) + num;
      e.pages += num;
      continue;
    }
    switch (key) {
      case 'anon':
      case 'Anon':
        e.anon = num;
        break;
      case 'dirty':
      case 'Dirty':
        e.dirty = num;
        break;
      case 'mapped':
      case 'Mapped':
        e.mapped = num;
        break;
      case 'mapmax':
      case 'MaxRef':
        e.mapmax = num;
        break;
      case 'swapcache':
        e.swapcache = num;
        break;
      case 'active':
        e.active = num;
        break;
      case 'writeback':
        e.writeback = num;
        break;
      case 'kernelpagesize_kB':
        e.kernelPageSizeKiB = num;
        break;
      case 'Pages':
        e.legacyPages = num;
        break;
      default:
        (e.other ??= {})[key] = val;
    }
  }
  return e;
}

function isDigits(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
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
