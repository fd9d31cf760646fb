/**
 * numactl's shared memory mode (--shm/--file), done with the calls numactl 2.0.16 makes: the
 * System V segment keyed by ftok(KEYFILE, --shmid) or the tmpfs/hugetlbfs file is created when
 * missing (with --length), attached, and later policy options mbind its range; --touch faults
 * the pages in, --dump/--dump-nodes/--verify read them back with get_mempolicy.
 */
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readFileSync } from 'node:fs';
import {
  IPC_CREAT,
  SHM_HUGETLB,
  ftok,
  getMempolicy,
  getMempolicyNode,
  mmapFile,
  pageSize,
  shmAttach,
  shmGet,
  strerror,
  SyscallError,
} from '../../kernel/index.js';
import { processVmReadMany } from '../../kernel/remote-memory.js';
import { readSysvSegments } from '../../ops/shm.js';
import { cFixed } from '../cfixed.js';
import type { Io } from '../command.js';
import type { Reporter } from './failure.js';
import { policyName, printMask } from './show.js';

export interface ShmSettings {
  /** shmlen (--length), 0 when not given. */
  readonly length: bigint;
  /** shmoffset (--offset). */
  readonly offset: bigint;
  /** shmmode (--shmmode), 0600 by default. */
  readonly mode: number;
  /** --huge: SHM_HUGETLB for a new segment. */
  readonly huge: boolean;
  /** --shmid: the ftok project id. */
  readonly projId: bigint;
}

/** An attached range: shmptr and shmlen in numactl's words. */
export interface ShmArea {
  readonly ptr: bigint;
  readonly length: bigint;
  readonly offset: bigint;
  readonly pageSize: number;
}

const MIB = 1024 * 1024;

/** errno of a node:fs error (its negative `errno`). */
function fsErrno(e: unknown): number {
  const n = (e as NodeJS.ErrnoException).errno;
  return typeof n === 'number' ? Math.abs(n) : 5;
}


/** printf("%#llx"). */
export const altHex = (v: bigint): string => (v === 0n ? '0' : `0x${v.toString(16)}`);
const octal4 = (mode: number): string => mode.toString(8).padStart(4, '0');

function hugePageSize(): number {
  const m = /^Hugepagesize:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) * 1024 : pageSize();
}

function checkRegion(a: ShmArea, opt: string, r: Reporter): void {
  if (a.ptr % BigInt(a.pageSize) !== 0n || a.length % BigInt(a.pageSize) !== 0n) r.fail({ kind: 'plain', stderr: 'numactl: policy region not page aligned\n' });
  if (a.length === 0n) r.fail({ kind: 'plain', stderr: `numactl: policy region length not specified before ${opt}\n` });
}

/** nerror(): "numactl: message: strerror" (or without the reason when errno is 0). */
function nerror(r: Reporter, message: string, errno: number): never {
  return r.fail({ kind: 'plain', stderr: `numactl: ${message}${errno ? `: ${strerror(errno)}\n` : '\n'}` });
}

/** The key of KEYFILE, creating the file first when ftok cannot use it (numactl's sysvkey). */
function sysvKey(name: string, s: ShmSettings, io: Io, r: Reporter): number {
  const proj = Number(BigInt.asIntN(32, s.projId));
  try {
    const key = ftok(name, proj);
    if (key >= 0) return key;
  } catch {
    // Missing: numactl creates it below.
  }
  io.stderr(`numactl: Creating shm key file ${name} mode ${octal4(s.mode)}\n`);
  try {
    closeSync(openSync(name, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, s.mode));
  } catch (e) {
    nerror(r, `cannot create key for shm ${name}\n`, fsErrno(e));
  }
  try {
    const key = ftok(name, proj);
    if (key >= 0) return key;
    return nerror(r, `cannot get key for newly created shm key file ${name}`, 0);
  } catch (e) {
    return nerror(r, `cannot get key for newly created shm key file ${name}`, e instanceof SyscallError ? e.errno : 0);
  }
}

/** --shm KEYFILE: attach (or create, with --length) the System V segment. */
export function attachSysv(name: string, s: ShmSettings, opt: string, io: Io, r: Reporter): ShmArea {
  const key = sysvKey(name, s, io, r);
  const flags = s.huge ? SHM_HUGETLB : 0;
  let id = -1;
  try {
    id = shmGet(key, s.length, flags);
  } catch (e) {
    if (!(e instanceof SyscallError && e.errnoName === 'ENOENT')) {
      // numactl carries on with shmfd -1: the next call fails with EINVAL.
      r.fail({ kind: 'plain', stderr: `numactl: ${s.length === 0n ? 'shmctl IPC_STAT' : 'shmat'}: ${strerror(22)}\n` });
    }
    if (s.length === 0n) r.fail({ kind: 'complain', message: 'need a --length to create a sysv shared memory segment' });
    const mb = cFixed(Number(s.length + s.offset) / MIB, 0);
    io.stderr(`numactl: Creating shared memory segment ${name} id ${BigInt.asIntN(64, s.projId)} mode ${octal4(s.mode)} length ${mb}MB\n`);
    try {
      id = shmGet(key, s.length + s.offset, IPC_CREAT | s.mode | flags);
    } catch (e2) {
      nerror(r, 'cannot create shared memory segment', e2 instanceof SyscallError ? e2.errno : 0);
    }
  }
  let length = s.length;
  if (length === 0n) length = BigInt(readSysvSegments().find((g) => g.shmid === id)?.size ?? 0);
  let base: bigint;
  try {
    base = shmAttach(id);
  } catch (e) {
    return r.fail({ kind: 'plain', stderr: `numactl: shmat: ${strerror(e instanceof SyscallError ? e.errno : 22)}\n` });
  }
  const area: ShmArea = { ptr: base + s.offset, length, offset: s.offset, pageSize: s.huge ? hugePageSize() : pageSize() };
  checkRegion(area, opt, r);
  return area;
}

/** --file PATH: open (or create, with --length), size and map the file. */
export function attachFile(name: string, s: ShmSettings, opt: string, r: Reporter): ShmArea {
  let fd: number;
  try {
    fd = openSync(name, constants.O_RDWR);
  } catch {
    if (s.length === 0n) r.fail({ kind: 'complain', message: 'need a --length to create a shared file' });
    try {
      fd = openSync(name, constants.O_RDWR | constants.O_CREAT, s.mode);
    } catch (e) {
      return nerror(r, `cannot create file ${name}`, fsErrno(e));
    }
  }
  const st = fstatSync(fd, { bigint: true });
  if (s.length + s.offset > st.size) {
    try {
      ftruncateSync(fd, Number(s.length + s.offset));
    } catch (e) {
      r.fail({ kind: 'plain', stderr: `ftruncate: ${strerror(fsErrno(e))}\n` });
    }
  }
  const blk = Number(st.blksize);
  checkRegion({ ptr: 0n, length: s.length, offset: s.offset, pageSize: blk }, opt, r);
  try {
    const ptr = mmapFile(fd, s.length, s.offset);
    return { ptr, length: s.length, offset: s.offset, pageSize: blk };
  } catch (e) {
    return r.fail({ kind: 'plain', stderr: `numactl: shm mmap: ${strerror(e instanceof SyscallError ? e.errno : 22)}\n` });
  }
}

/** check_shmbeyond: numactl refuses --touch/--verify when the offset is not below the length. */
export function checkBeyond(a: ShmArea, opt: string, r: Reporter): void {
  if (a.offset >= a.length) {
    r.fail({ kind: 'plain', stderr: `numactl: region offset ${altHex(a.offset)} beyond its length ${altHex(a.length)} at ${opt}\n` });
  }
}

/** numa_police_memory: fault in every base page of the range under its policy. */
export function touch(a: ShmArea): void {
  const step = BigInt(pageSize());
  const ranges: { addr: bigint; length: number }[] = [];
  for (let at = a.ptr; at < a.ptr + a.length; at += step) ranges.push({ addr: at, length: 1 });
  processVmReadMany(process.pid, ranges);
}

function pages(a: ShmArea): bigint[] {
  const out: bigint[] = [];
  for (let c = 0n; c < a.length; c += BigInt(a.pageSize)) out.push(c);
  return out;
}

const range = (a: ShmArea, start: bigint, end: bigint): string =>
  `${(a.offset + start).toString(16).padStart(16, '0')}-${(a.offset + end).toString(16).padStart(16, '0')}`;

/**
 * --dump: one line per run of pages with the same policy mode (default runs left out). As in
 * numactl 2.0.16, a run's nodes are those read last: the first page of the next run, or the
 * range's last page for the final run.
 */
export function dumpText(a: ShmArea): string {
  if (a.length === 0n) return 'nothing to dump\n';
  let out = '';
  let prev = -1;
  let start = 0n;
  let nodes: number[] = [];
  const line = (s: bigint, e: bigint, mode: number): void => {
    if (mode !== 0) out += `${range(a, s, e)}: ${policyName(mode)} ${printMask('', nodes)}`;
  };
  for (const c of pages(a)) {
    const p = getMempolicy({ addr: a.ptr + c });
    nodes = p.nodes;
    if (p.mode === prev) continue;
    if (prev !== -1) line(start, c, prev);
    prev = p.mode;
    start = c;
  }
  line(start, a.length, prev);
  return out;
}

/** --dump-nodes: one line per run of pages on the same node (get_mempolicy faults each in). */
export function dumpNodesText(a: ShmArea): string {
  if (a.length === 0n) return 'nothing to dump\n';
  let out = '';
  let prev = -1;
  let start = 0n;
  for (const c of pages(a)) {
    const node = getMempolicyNode(a.ptr + c);
    if (node === prev) continue;
    if (prev !== -1) out += `${range(a, start, c)}: ${prev}\n`;
    prev = node;
    start = c;
  }
  return `${out}${range(a, start, a.length)}: ${prev}\n`;
}

/**
 * --verify: every page's policy and node against `mode` and `mask`, numactl's checks and
 * messages (stdout); `bad` when any check failed (numactl then exits 1).
 */
export function verifyText(a: ShmArea, mode: number, mask: readonly number[], maskBits: number): { text: string; bad: boolean } {
  let out = '';
  let bad = false;
  const warn = (p: bigint, msg: string): void => {
    out += `numactl verify ${p.toString(16)}(${(p - a.ptr).toString(16)}): ${msg}`;
    bad = true;
  };
  const same = (x: readonly number[], y: readonly number[]): boolean => x.length === y.length && x.every((v, i) => v === y[i]);
  let il = mode === 3 ? getMempolicyNode(a.ptr) : 0;
  for (const c of pages(a)) {
    const p = a.ptr + c;
    const pol = getMempolicy({ addr: p });
    if (pol.mode !== mode) {
      warn(p, `wrong policy ${policyName(pol.mode)}, expected ${policyName(mode)}\n`);
      break;
    }
    if (!same(pol.nodes, mask)) {
      warn(p, 'mismatched node mask\n');
      out += printMask('expected', mask) + printMask('real', pol.nodes);
    }
    const node = getMempolicyNode(p);
    if (mode === 3) {
      if (node < 0 || !pol.nodes.includes(node)) warn(p, `interleave node out of range ${node}\n`);
      if (node !== il) {
        warn(p, `expected interleave node ${il}, got ${node}\n`);
        break;
      }
      do il = (il + 1) % maskBits;
      while (!pol.nodes.includes(il));
    } else if ((mode === 1 || mode === 2 || mode === 5) && !pol.nodes.includes(node)) {
      warn(p, `unexpected node ${node}\n`);
      out += printMask('expected', pol.nodes);
    }
  }
  return { text: out, bad };
}
