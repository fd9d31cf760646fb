/**
 * /proc/PID/maps: one line per VMA — range, permissions, offset, device, inode, name.
 */
import { unescapeMapsPath } from './escape.js';
import { hexToBigInt } from './hex.js';
import { linesOf, linesOfChunks } from './lines.js';
import { readProcChunks, readProcText, type ProcOptions } from './read.js';

/** What backs a VMA, from its name in maps. */
export type VmaKind =
  | 'file' // a mapped file
  | 'anon' // private anonymous memory (also [anon:name])
  | 'heap' // [heap]: the brk area
  | 'stack' // [stack]: the main thread's stack (old kernels: [stack:TID])
  | 'shm' // shared anonymous / SysV shm / [anon_shmem:name]
  | 'huge' // anonymous hugetlb (/anon_hugepage)
  | 'memfd' // memfd_create() memory
  | 'vdso'
  | 'vvar'
  | 'vsyscall'
  | 'special'; // other kernel-named areas ([uprobes], [vectors], [sigpage]...)

export interface MapsEntry {
  start: bigint;
  /** One past the last byte. */
  end: bigint;
  /** Four characters: r/w/x/- and p (private) or s (shared). */
  perms: string;
  offset: bigint;
  /** "major:minor" in hex, as printed. */
  dev: string;
  inode: number;
  /** Name as the kernel printed it (newline escapes decoded), '' for anonymous memory. */
  path: string;
  kind: VmaKind;
  /** The file was unlinked (" (deleted)" suffix; stripped from `path`). */
  deleted: boolean;
  /** Name given with prctl(PR_SET_VMA_ANON_NAME): [anon:NAME] / [anon_shmem:NAME]. */
  anonName?: string;
  /** Old kernels (3.4-4.4) name thread stacks [stack:TID]. */
  stackTid?: number;
}

const DELETED = ' (deleted)';

/** Parse one maps line; undefined when it is not one (blank, truncated). */
export function parseMapsLine(line: string): MapsEntry | undefined {
  const dash = line.indexOf('-');
  const sp1 = line.indexOf(' ', dash + 1);
  if (dash <= 0 || sp1 < 0) return undefined;
  const sp2 = line.indexOf(' ', sp1 + 1);
  const sp3 = sp2 < 0 ? -1 : line.indexOf(' ', sp2 + 1);
  const sp4 = sp3 < 0 ? -1 : line.indexOf(' ', sp3 + 1);
  if (sp4 < 0) return undefined;
  let sp5 = line.indexOf(' ', sp4 + 1);
  if (sp5 < 0) sp5 = line.length;
  let p = sp5;
  while (p < line.length && line.charCodeAt(p) === 32) p++;
  let path = p < line.length ? line.slice(p) : '';
  let deleted = false;
  if (path.endsWith(DELETED)) {
    deleted = true;
    path = path.slice(0, -DELETED.length);
  }
  const perms = line.slice(sp1 + 1, sp2);
  let start: bigint;
  let end: bigint;
  let offset: bigint;
  try {
    start = hexToBigInt(line.slice(0, dash));
    end = hexToBigInt(line.slice(dash + 1, sp1));
    offset = hexToBigInt(line.slice(sp2 + 1, sp3));
  } catch {
    return undefined;
  }
  const e: MapsEntry = {
    start,
    end,
    perms,
    offset,
    dev: line.slice(sp3 + 1, sp4),
    inode: Number(line.slice(sp4 + 1, sp5)),
    path: unescapeMapsPath(path),
    kind: 'anon',
    deleted,
  };
  classify(e, perms.charCodeAt(3) === 115 /* s */);
  return e;
}

function classify(e: MapsEntry, shared: boolean): void {
  const path = e.path;
  if (path === '') {
    e.kind = shared ? 'shm' : 'anon';
    return;
  }
  if (path.charCodeAt(0) === 91 /* [ */ && path.endsWith(']')) {
    const inner = path.slice(1, -1);
    switch (inner) {
      case 'heap':
        e.kind = 'heap';
        return;
      case 'stack':
        e.kind = 'stack';
        return;
      case 'vdso':
        e.kind = 'vdso';
        return;
      case 'vvar':
      case 'vvar_vclock':
        e.kind = 'vvar';
        return;
      case 'vsyscall':
        e.kind = 'vsyscall';
        return;
    }
    if (inner.startsWith('anon:')) {
      e.kind = 'anon';
      e.anonName = inner.slice(5);
    } else if (inner.startsWith('anon_shmem:')) {
      e.kind = 'shm';
      e.anonName = inner.slice(11);
    } else if (inner.startsWith('stack:')) {
      e.kind = 'stack';
      e.stackTid = Number(inner.slice(6));
    } else {
      e.kind = 'special';
    }
    return;
  }
  if (path.startsWith('/SYSV') || (shared && e.deleted && path === '/dev/zero')) e.kind = 'shm';
  else if (path === '/anon_hugepage') e.kind = 'huge';
  else if (path.startsWith('/memfd:')) e.kind = 'memfd';
  else e.kind = 'file';
}

/** Parse maps text into entries, skipping lines that are not VMAs. */
export function parseMaps(text: string): MapsEntry[] {
  const out: MapsEntry[] = [];
  for (const line of linesOf(text)) {
    const e = parseMapsLine(line);
    if (e !== undefined) out.push(e);
  }
  return out;
}

/** Read /proc/PID/maps (or a thread's with `tid`). */
export function readMaps(pid: number, opts: ProcOptions = {}): MapsEntry[] {
  return parseMaps(readProcText(pid, 'maps', opts));
}

/** Stream /proc/PID/maps entry by entry. */
export async function* streamMaps(pid: number, opts: ProcOptions = {}): AsyncGenerator<MapsEntry> {
  for await (const line of linesOfChunks(readProcChunks(pid, 'maps', opts))) {
    const e = parseMapsLine(line);
    if (e !== undefined) yield e;
  }
}
