/**
 * Address ranges as users type them (`7f12a000-7f12c000`, `0x7f12a000+64m`, a bare start meaning
 * "the VMA holding it") and their resolution against a process's VMAs: a range must be wholly
 * mapped, so a typo never moves half of something.
 */
import { NumapolError, UsageError } from '../errors.js';
import type { Vma } from '../procfs/vmas.js';
import { vmaMatcher, type VmaFilter } from './vma-filter.js';

/** What the user asked for: [start, end) or, with `end` absent, from start to the end of its VMA. */
export interface AddressRange {
  readonly start: bigint;
  readonly end?: bigint;
}

/** One piece of a resolved selection: a page-aligned [start, end) inside one VMA. */
export interface Segment {
  readonly start: bigint;
  readonly end: bigint;
  readonly vma: Vma;
}

const SIZE_UNITS: Readonly<Record<string, bigint>> = { '': 1n, k: 1n << 10n, m: 1n << 20n, g: 1n << 30n, t: 1n << 40n };

function parseAddress(text: string, whole: string): bigint {
  // numa_maps and maps print addresses in hex without 0x: take them as printed.
  const m = /^(?:0x)?([0-9a-f]+)$/i.exec(text);
  if (!m) throw new UsageError(`bad address '${text}' in range '${whole}': addresses are hex, as maps prints them`);
  return BigInt(`0x${m[1]}`);
}

/** A byte count: decimal or 0x hex, with an optional k/m/g/t suffix (binary units, as numactl). */
export function parseSize(text: string, what = 'length'): bigint {
  const m = /^(0x[0-9a-f]+|\d+)([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`bad ${what} '${text}': use a number with an optional k, m, g or t suffix (e.g. 64m)`);
  return BigInt(m[1]!) * SIZE_UNITS[m[2]!.toLowerCase()]!;
}

/** Parses `START`, `START-END` or `START+LEN` (START and END hex, LEN a size like 64m). */
export function parseAddressRange(text: string): AddressRange {
  const t = text.trim();
  const plus = t.indexOf('+');
  if (plus >= 0) {
    const start = parseAddress(t.slice(0, plus), t);
    const len = parseSize(t.slice(plus + 1), `length in range '${t}'`);
    if (len === 0n) throw new UsageError(`range '${t}' is empty`);
    return { start, end: start + len };
  }
  const dash = t.indexOf('-');
  if (dash >= 0) {
    const start = parseAddress(t.slice(0, dash), t);
    const end = parseAddress(t.slice(dash + 1), t);
    if (end <= start) throw new UsageError(`range '${t}' ends before it starts`);
    return { start, end };
  }
  return { start: parseAddress(t, t) };
}

export function hexAddr(a: bigint): string {
  return `0x${a.toString(16)}`;
}

/** Kernel-made areas that have no pages to move. */
const UNMOVABLE_KINDS = new Set(['vdso', 'vvar', 'vsyscall', 'special']);

export function isMovableVma(v: Vma): boolean {
  return !UNMOVABLE_KINDS.has(v.kind) && !v.perms.startsWith('---');
}

/**
 * The segments of `vmas` that [range] covers, page-aligned outward. Throws ENOMAPPING naming the
 * first hole when part of the range is not mapped: nothing is moved in that case.
 */
export function segmentsOfRange(vmas: readonly Vma[], range: AddressRange, pid: number, pageBytes: number): Segment[] {
  const ps = BigInt(pageBytes);
  const start = (range.start / ps) * ps;
  const holder = vmas.find((v) => v.start <= start && start < v.end);
  if (holder === undefined) {
    throw new NumapolError('ENOMAPPING', `${hexAddr(range.start)} is not mapped in pid ${pid}: see 'numapol maps ${pid}'`, {
      usage: true,
      details: { pid, address: hexAddr(range.start) },
    });
  }
  const end = range.end === undefined ? holder.end : ((range.end + ps - 1n) / ps) * ps;
  const out: Segment[] = [];
  let at = start;
  for (const v of vmas) {
    if (v.end <= at) continue;
    if (at >= end) break;
    if (v.start > at) break;
    const segEnd = v.end < end ? v.end : end;
    out.push({ start: at, end: segEnd, vma: v });
    at = segEnd;
  }
  if (at < end) {
    throw new NumapolError(
      'ENOMAPPING',
      `range ${hexAddr(start)}-${hexAddr(end)} is not wholly mapped in pid ${pid}: nothing is mapped at ${hexAddr(at)}; nothing was moved`,
      { usage: true, details: { pid, start: hexAddr(start), end: hexAddr(end), hole: hexAddr(at) } },
    );
  }
  return out;
}

export interface Selection extends VmaFilter {
  /** An address range; combined with the filter, only the parts in matching VMAs are kept. */
  readonly range?: AddressRange;
}

export function hasVmaFilter(s: VmaFilter): boolean {
  return s.name !== undefined || !!s.anon || !!s.file || !!s.text || !!s.data || s.minPages !== undefined || s.kinds !== undefined;
}

/**
 * Resolves a selection (range and/or VMA filter) to segments. A filter that matches nothing, or a
 * selection with no movable memory, is an error naming what was looked for.
 */
export function resolveSelection(vmas: readonly Vma[], sel: Selection, pid: number, pageBytes: number): Segment[] {
  const filtered = hasVmaFilter(sel);
  if (sel.range === undefined && !filtered) {
    throw new UsageError('say which memory to move: --range START[-END|+LEN], --vma NAME, or --anon/--file/--text/--data');
  }
  const keep = vmaMatcher(sel);
  let segs: Segment[];
  if (sel.range !== undefined) {
    segs = segmentsOfRange(vmas, sel.range, pid, pageBytes).filter((s) => isMovableVma(s.vma) && (!filtered || keep(s.vma)));
  } else {
    segs = vmas.filter((v) => isMovableVma(v) && keep(v)).map((v) => ({ start: v.start, end: v.end, vma: v }));
  }
  if (segs.length === 0) {
    const what = [
      sel.name !== undefined ? `--vma ${sel.name}` : '',
      sel.anon ? '--anon' : '',
      sel.file ? '--file' : '',
      sel.text ? '--text' : '',
      sel.data ? '--data' : '',
      sel.kinds !== undefined ? `kind ${sel.kinds.join('|')}` : '',
    ].filter((s) => s !== '').join(' ');
    throw new NumapolError('ENOMAPPING', `pid ${pid} has no movable mapping matching ${what || 'the range'}: see 'numapol maps ${pid}'`, {
      usage: true,
      details: { pid },
    });
  }
  return segs;
}

/** Pages in the segments. */
export function segmentPages(segs: readonly Segment[], pageBytes: number): number {
  const ps = BigInt(pageBytes);
  let n = 0n;
  for (const s of segs) n += (s.end - s.start) / ps;
  return Number(n);
}
