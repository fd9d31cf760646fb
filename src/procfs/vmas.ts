/**
 * One record per VMA: maps (range, perms, name) joined with numa_maps (policy, pages per node) and,
 * when asked, smaps (Rss, Pss, THP). The files are read one after another, so a VMA created or
 * unmapped in between appears on one side only; the join keeps every maps VMA and drops the rest.
 */
import type { Mempolicy } from '../policy/model.js';
import { parseMaps, readMaps, type MapsEntry } from './maps.js';
import { parseNumaMaps, readNumaMaps, streamNumaMaps, type NumaMapsEntry } from './numa-maps.js';
import type { ProcOptions } from './read.js';
import { readSmaps, type SmapsEntry } from './smaps.js';

/** A maps entry (range, perms, name) with what numa_maps says of it. */
export interface Vma extends MapsEntry {
  /**
   * Policy text from numa_maps (the VMA's own policy, else the task's, else "default");
   * undefined when numa_maps had no line for this VMA (it changed between the reads).
   */
  policyText?: string;
  /** Parsed policy, when readVmas was given `policyOf`. */
  policy?: Mempolicy;
  /** hugetlb VMA: pages are huge pages of pageSizeKiB. */
  hugetlb: boolean;
  /** node id → resident pages on that node. */
  pagesPerNode: Record<number, number>;
  /** Resident pages (sum over nodes). */
  pages: number;
  // Normalized counters: numa_maps omits a counter when it is 0, and omits mapped/active when they
  // equal the page count, so absent values are filled in the way the kernel meant them.
  anon: number;
  dirty: number;
  mapped: number;
  mapmax: number;
  swapcache: number;
  active: number;
  writeback: number;
  /** kernelpagesize_kB; undefined when numa_maps did not say (2005 format, missing line). */
  pageSizeKiB?: number;
  smaps?: SmapsEntry;
}

export interface ReadVmasOptions extends ProcOptions {
  /** Also read smaps (slower: another page-table walk). */
  smaps?: boolean;
  /** Parse each VMA's policy text (e.g. src/policy's numa_maps parser); called once per distinct text. */
  policyOf?: (policyText: string) => Mempolicy | undefined;
}

/** Build the joined record from a maps entry and its numa_maps / smaps lines, if any. */
export function joinVma(m: MapsEntry, n: NumaMapsEntry | undefined, s?: SmapsEntry): Vma {
  const v: Vma = {
    start: m.start,
    end: m.end,
    perms: m.perms,
    offset: m.offset,
    dev: m.dev,
    inode: m.inode,
    path: m.path,
    kind: m.kind,
    deleted: m.deleted,
    hugetlb: n?.huge ?? m.kind === 'huge',
    pagesPerNode: n?.pagesPerNode ?? {},
    pages: n?.pages ?? 0,
    anon: 0,
    dirty: 0,
    mapped: 0,
    mapmax: 0,
    swapcache: 0,
    active: 0,
    writeback: 0,
  };
  if (m.anonName !== undefined) v.anonName = m.anonName;
  if (n !== undefined) {
    v.policyText = n.policyText;
    const pages = n.pages;
    v.anon = n.anon ?? 0;
    v.dirty = n.dirty ?? 0;
    v.mapped = n.mapped ?? pages;
    v.mapmax = n.mapmax ?? (pages > 0 ? 1 : 0);
    v.swapcache = n.swapcache ?? 0;
    v.active = n.active ?? pages;
    v.writeback = n.writeback ?? 0;
    if (n.kernelPageSizeKiB !== undefined) v.pageSizeKiB = n.kernelPageSizeKiB;
  }
  if (s !== undefined) {
    v.smaps = s;
    if (v.pageSizeKiB === undefined && s.kernelPageSizeKiB > 0) v.pageSizeKiB = s.kernelPageSizeKiB;
  }
  return v;
}

/**
 * Join the three files' entries. All are in address order (the kernel walks the VMA tree), so this
 * is one merge pass; out-of-order input (hand-made) falls back to lookups by address.
 */
export function joinVmas(maps: readonly MapsEntry[], numa: readonly NumaMapsEntry[], smaps?: readonly SmapsEntry[]): Vma[] {
  const out: Vma[] = new Array<Vma>(maps.length);
  const numaAt = sortedOrIndex(numa);
  const smapsAt = smaps === undefined ? undefined : sortedOrIndex(smaps);
  let j = 0;
  let k = 0;
  for (let i = 0; i < maps.length; i++) {
    const m = maps[i]!;
    let n: NumaMapsEntry | undefined;
    if (numaAt === undefined) {
      while (j < numa.length && numa[j]!.start < m.start) j++;
      if (j < numa.length && numa[j]!.start === m.start) n = numa[j++];
    } else n = numaAt.get(m.start);
    let s: SmapsEntry | undefined;
    if (smaps !== undefined) {
      if (smapsAt === undefined) {
        while (k < smaps.length && smaps[k]!.start < m.start) k++;
        if (k < smaps.length && smaps[k]!.start === m.start) s = smaps[k++];
      } else s = smapsAt.get(m.start);
    }
    out[i] = joinVma(m, n, s);
  }
  return out;
}

/** undefined when `xs` is ascending by start (merge works), else a map by start. */
function sortedOrIndex<T extends { start: bigint }>(xs: readonly T[]): Map<bigint, T> | undefined {
  for (let i = 1; i < xs.length; i++) {
    if (xs[i]!.start <= xs[i - 1]!.start) return new Map(xs.map((x) => [x.start, x]));
  }
  return undefined;
}

function applyPolicies(vmas: Vma[], policyOf: ReadVmasOptions['policyOf']): void {
  if (policyOf === undefined) return;
  const cache = new Map<string, Mempolicy | undefined>();
  for (const v of vmas) {
    if (v.policyText === undefined) continue;
    let p = cache.get(v.policyText);
    if (p === undefined && !cache.has(v.policyText)) {
      p = policyOf(v.policyText);
      cache.set(v.policyText, p);
    }
    if (p !== undefined) v.policy = p;
  }
}

/**
 * Every VMA of a process (or, with `tid`, as that thread sees it: VMAs without their own policy show
 * the thread's policy). Throws ProcessGoneError / NumapolError('EACCES').
 */
export function readVmas(pid: number, opts: ReadVmasOptions = {}): Vma[] {
  const maps = readMaps(pid, opts);
  const numa = readNumaMaps(pid, opts);
  const smaps = opts.smaps ? readSmaps(pid, opts) : undefined;
  const vmas = joinVmas(maps, numa, smaps);
  applyPolicies(vmas, opts.policyOf);
  return vmas;
}

/** Join already-read texts (fixtures, captures from another machine). */
export function parseVmas(mapsText: string, numaMapsText: string, opts: Pick<ReadVmasOptions, 'policyOf'> = {}): Vma[] {
  const vmas = joinVmas(parseMaps(mapsText), parseNumaMaps(numaMapsText));
  applyPolicies(vmas, opts.policyOf);
  return vmas;
}

/**
 * Stream VMAs as numa_maps is produced: maps is read first (cheap), then each numa_maps line is
 * joined as it arrives, so display can start before the kernel finishes walking a huge process.
 * smaps is not supported here (it would need a second walk anyway).
 */
export async function* streamVmas(pid: number, opts: Omit<ReadVmasOptions, 'smaps'> = {}): AsyncGenerator<Vma> {
  const maps = readMaps(pid, opts);
  const cache = new Map<string, Mempolicy | undefined>();
  const withPolicy = (v: Vma): Vma => {
    if (opts.policyOf !== undefined && v.policyText !== undefined) {
      if (!cache.has(v.policyText)) cache.set(v.policyText, opts.policyOf(v.policyText));
      const p = cache.get(v.policyText);
      if (p !== undefined) v.policy = p;
    }
    return v;
  };
  let i = 0;
  for await (const n of streamNumaMaps(pid, opts)) {
    while (i < maps.length && maps[i]!.start < n.start) yield withPolicy(joinVma(maps[i++]!, undefined));
    if (i < maps.length && maps[i]!.start === n.start) yield withPolicy(joinVma(maps[i++]!, n));
  }
  while (i < maps.length) yield withPolicy(joinVma(maps[i++]!, undefined));
}
