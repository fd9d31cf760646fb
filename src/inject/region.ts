/**
 * The park region: one page of park code (x86_64-park.ts) and a few pages of data, mapped into
 * the target the first time numapol works on it and left there for every later operation, by
 * this numapol or another. It shows in /proc/PID/maps as `[anon:numapol]` (kernels with
 * CONFIG_ANON_VMA_NAME), 16 KiB: the code page r-xp, the data pages rw-p.
 *
 * Why it stays: removing it would take one more injected call at the end of every operation,
 * and a call that unmaps the code cannot run as that code: it would run on its own (a
 * one-shot, injection.ts), slower and with its signal frame below a thread's stack pointer.
 * Kept, it is made once per process (its mmap is such a one-shot), and later operations need
 * neither an mmap nor a munmap.
 *
 * A later numapol finds it by looking in /proc/PID/maps for an anonymous executable mapping
 * whose first 16 bytes are the magic of the park code it would write, which holds a hash of
 * that code: a region of another numapol build, or anything else, is never used (a new one is
 * made). The data pages hold nothing
 * between operations: each operation writes what it needs.
 */
import { readProcFile } from '../kernel/proc-file.js';
import { NumapolError } from '../errors.js';
import { processVmRead } from '../kernel/remote-memory.js';
import type { ParkLayout } from './arch/index.js';
import { PARK_MAGIC_BYTES } from './arch/x86_64-park.js';
import { faultSeam } from './fault-seam.js';

export const PAGE = 4096;
export const CODE_BYTES = PAGE;
export const DATA_BYTES = 3 * PAGE;
export const REGION_BYTES = CODE_BYTES + DATA_BYTES;
/** The start of the data pages: the slot and table of the region's own calls (mapping more memory, naming it). */
export const CONTROL_BYTES = 1024;
export const REGION_NAME = 'numapol';

export interface ParkRegion {
  readonly code: bigint;
  readonly data: bigint;
  readonly entry: bigint;
  readonly trap1: bigint;
  readonly trap2: bigint;
  readonly ret: bigint;
}

export function regionAt(code: bigint, layout: ParkLayout): ParkRegion {
  return {
    code,
    data: code + BigInt(CODE_BYTES),
    entry: code + BigInt(layout.entry),
    trap1: code + BigInt(layout.trap1),
    trap2: code + BigInt(layout.trap2),
    ret: code + BigInt(layout.ret),
  };
}

/** True when `ip` lies in the region's code page. */
export function inParkCode(r: ParkRegion, ip: bigint): boolean {
  return ip >= r.code && ip < r.code + BigInt(CODE_BYTES);
}

/** Where this process last found or made each pid's region: checked again (one read) before use. */
const known = new Map<number, bigint>();
const KNOWN_MAX = 4096;

export function rememberRegion(pid: number, code: bigint): void {
  known.delete(pid);
  known.set(pid, code);
  if (known.size > KNOWN_MAX) known.delete(known.keys().next().value as number);
}

export function forgetRegion(pid: number): void {
  known.delete(pid);
}

/** Processes that may not have executable memory of numapol's making: not asked again. */
const refused = new Set<number>();

/** Whether making a region in `pid` failed for lack of executable memory before. */
export function regionRefused(pid: number): boolean {
  return refused.has(pid);
}

function rememberRefusal(pid: number): void {
  refused.add(pid);
  if (refused.size > KNOWN_MAX) refused.delete(refused.values().next().value as number);
}

/**
 * Whether the park code is at `code` in the process of thread `tid`: its magic, which holds a
 * hash of the rest, matches. The rest was written before the magic, so a page whose magic
 * matches holds the whole code.
 */
function holdsCode(tid: number, code: bigint, layout: ParkLayout): boolean {
  try {
    return processVmRead(tid, code, PARK_MAGIC_BYTES).equals(layout.code.subarray(0, PARK_MAGIC_BYTES));
  } catch {
    return false;
  }
}

const ANON_EXEC = 'xp 00000000 00:00 0';
/** A region whose code page is still writable: a numapol died between mapping and sealing it. */
export interface FoundRegion extends ParkRegion {
  readonly sealed: boolean;
}
const NAMED = `[anon:${REGION_NAME}]`;

/**
 * The start addresses of the anonymous private executable mappings in a maps text, the ones
 * named for numapol first. Few processes have any other (JIT compilers do).
 */
export function anonExecMappings(maps: string): { addr: bigint; writable: boolean }[] {
  const named: { addr: bigint; writable: boolean }[] = [];
  const other: { addr: bigint; writable: boolean }[] = [];
  for (let at = maps.indexOf(ANON_EXEC); at !== -1; at = maps.indexOf(ANON_EXEC, at + 1)) {
    const start = maps.lastIndexOf('\n', at) + 1;
    const dash = maps.indexOf('-', start);
    if (dash < 0 || dash > at) continue;
    const end = maps.indexOf('\n', at);
    const line = maps.slice(start, end < 0 ? maps.length : end);
    // perms are "r-xp" or "rwxp": the 'x' right before the match.
    const addr = BigInt(`0x${maps.slice(start, dash)}`);
    (line.endsWith(NAMED) ? named : other).push({ addr, writable: maps.charAt(at - 1) === 'w' });
  }
  return [...named, ...other];
}

/** At most this many unnamed executable mappings are looked into (a JIT may have thousands). */
const MAX_CANDIDATES = 64;

/**
 * The region numapol left in the process of thread `tid`, or undefined. Reads only (maps and
 * process memory), so it may run while threads are still on their way to their stop.
 */
export function findRegion(pid: number, tid: number, layout: ParkLayout): FoundRegion | undefined {
  const last = known.get(pid);
  // Only a sealed region is remembered.
  if (last !== undefined && holdsCode(tid, last, layout)) return { ...regionAt(last, layout), sealed: true };
  const maps = readProcFile(`/proc/${pid}/task/${tid}/maps`);
  if (maps === undefined) return undefined;
  const candidates = anonExecMappings(maps).slice(0, MAX_CANDIDATES);
  for (const c of candidates) {
    if (holdsCode(tid, c.addr, layout)) {
      if (!c.writable) rememberRegion(pid, c.addr);
      return { ...regionAt(c.addr, layout), sealed: !c.writable };
    }
  }
  if (last !== undefined) forgetRegion(pid);
  return undefined;
}

const PROT_RW = 3n;
const PROT_RX = 5n;
const PROT_RWX = 7n;
const MAP_PRIVATE_ANONYMOUS = 0x22n;
const EPERM = 1n;
const EACCES = 13n;
/** prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, addr, len, name): Linux 5.17+ with CONFIG_ANON_VMA_NAME. */
const PR_SET_VMA = 0x53564d41n;
const PR_SET_VMA_ANON_NAME = 0n;

/** Syscall numbers and calls the region needs made in the target. */
export interface RegionCalls {
  readonly nr: { readonly mmap: number; readonly mprotect: number; readonly munmap: number; readonly prctl: number };
  /** One call on its own, registers set for it (the region does not exist yet). */
  oneShot(nr: number, args: bigint[]): bigint;
  /** Calls through the park code of `region`, with its control slot. */
  parked(region: ParkRegion, calls: { nr: number; args: bigint[] }[]): bigint[];
  /** Writes target memory that the target can write (process_vm_writev) or only read (/proc/PID/mem). */
  write(addr: bigint, bytes: Buffer): void;
  writeForced(addr: bigint, bytes: Buffer): void;
}

function isErrnoRet(r: bigint): boolean {
  return r < 0n && r >= -4095n;
}

/** The calls that seal a region: code read+exec, data read+write, and its name in maps. */
function sealCalls(r: ParkRegion, c: RegionCalls, named: boolean): { nr: number; args: bigint[] }[] {
  const calls = [
    { nr: c.nr.mprotect, args: [r.code, BigInt(CODE_BYTES), PROT_RX] },
    { nr: c.nr.mprotect, args: [r.data, BigInt(DATA_BYTES), PROT_RW] },
  ];
  if (named) calls.push({ nr: c.nr.prctl, args: [PR_SET_VMA, PR_SET_VMA_ANON_NAME, r.code, BigInt(REGION_BYTES), nameAt(r)] });
  return calls;
}

/** Where the region's name lies while it is given (the end of the control area). */
function nameAt(r: ParkRegion): bigint {
  return r.data + BigInt(CONTROL_BYTES - 16);
}

/** Makes a found region that is still writable and executable what it should be. */
export function sealRegion(pid: number, r: ParkRegion, c: RegionCalls): string[] {
  c.write(nameAt(r), Buffer.from(`${REGION_NAME}\0`));
  const res = c.parked(r, sealCalls(r, c, true));
  rememberRegion(pid, r.code);
  return res.slice(0, 2).some(isErrnoRet) ? [`pid ${pid}: the park region at 0x${r.code.toString(16)} could not be made read+exec / read+write (${res.join(', ')})`] : [];
}

/**
 * Maps and writes the park region into the process of the stopped thread `c` works with.
 * Returns undefined when the process may not have executable memory of its own making
 * (SELinux execmem, or no way to write an executable page), having left nothing behind; throws
 * for other failures. The code's first bytes (the magic) are written last: a numapol killed
 * before leaves a region no later numapol uses.
 */
export function createRegion(pid: number, layout: ParkLayout, c: RegionCalls): { region: ParkRegion; warnings: string[] } | undefined {
  const mapArgs = (prot: bigint): bigint[] => [0n, BigInt(REGION_BYTES), prot, MAP_PRIVATE_ANONYMOUS, -1n, 0n];
  const body = layout.code.subarray(PARK_MAGIC_BYTES);
  const magic = layout.code.subarray(0, PARK_MAGIC_BYTES);
  let code = c.oneShot(c.nr.mmap, mapArgs(PROT_RWX));
  if (!isErrnoRet(code)) {
    const r = regionAt(code, layout);
    c.write(r.code + BigInt(PARK_MAGIC_BYTES), body);
    c.write(r.code, magic);
    faultSeam('region-written');
    const warnings = sealRegion(pid, r, c);
    return { region: r, warnings };
  }
  if (code !== -EACCES && code !== -EPERM) {
    throw new NumapolError('ESCRATCH', `pid ${pid}: the injected mmap of the park region failed with errno ${-code}`, { details: { pid, errno: Number(-code) } });
  }
  // No writable+executable memory (PR_SET_MDWE, SELinux execmem): a read+exec page, written
  // the way a debugger sets a breakpoint.
  code = c.oneShot(c.nr.mmap, mapArgs(PROT_RX));
  if (isErrnoRet(code)) {
    rememberRefusal(pid);
    return undefined;
  }
  const r = regionAt(code, layout);
  try {
    c.writeForced(r.code + BigInt(PARK_MAGIC_BYTES), body);
    c.writeForced(r.code, magic);
  } catch {
    c.oneShot(c.nr.munmap, [r.code, BigInt(REGION_BYTES)]);
    rememberRefusal(pid);
    return undefined;
  }
  const rw = c.oneShot(c.nr.mprotect, [r.data, BigInt(DATA_BYTES), PROT_RW]);
  if (isErrnoRet(rw)) {
    c.oneShot(c.nr.munmap, [r.code, BigInt(REGION_BYTES)]);
    rememberRefusal(pid);
    return undefined;
  }
  faultSeam('region-written');
  c.write(nameAt(r), Buffer.from(`${REGION_NAME}\0`));
  c.parked(r, sealCalls(r, c, true).slice(2));
  rememberRegion(pid, r.code);
  return { region: r, warnings: [] };
}
