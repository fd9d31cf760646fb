/**
 * `numapol shm`: the policy and placement of shared memory objects — tmpfs and hugetlbfs files,
 * System V segments — which keep a shared policy in the object itself (seed 002). As numactl
 * --file/--shm/--shmid does, numapol maps the object into its own process and mbinds the range:
 * the policy outlives the mapping and governs every process's later faults. --move also moves
 * the pages already there (MPOL_MF_MOVE; MPOL_MF_MOVE_ALL when root, since other processes map
 * them too).
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, statfsSync } from 'node:fs';
import { NumapolError, UsageError } from '../errors.js';
import {
  MPOL_DEFAULT,
  MPOL_LOCAL,
  MPOL_MF_MOVE,
  MPOL_MF_MOVE_ALL,
  PROT_READ,
  PROT_WRITE,
  SyscallError,
  getMempolicy,
  mbind,
  mincore,
  mmapFile,
  munmap,
  pageSize,
  queryPageNodes,
  shmAttach,
  shmDetach,
} from '../kernel/index.js';
import { processVmRead } from '../kernel/remote-memory.js';
import { formatPolicy, fromKernelMode, toKernelMode } from '../policy/index.js';
import type { OpsOptions } from './options.js';
import { userPolicy } from './user-policy.js';

const HUGETLBFS_MAGIC = 0x958458f6;
const TMPFS_MAGIC = 0x01021994;

export interface ShmTarget {
  /** A file on tmpfs (/dev/shm/...) or hugetlbfs. */
  readonly file?: string;
  /** A System V segment by key (`--shm KEY`). */
  readonly shmKey?: number;
  /** A System V segment by id (`--shmid ID`). */
  readonly shmid?: number;
}

export interface ShmOptions extends OpsOptions, ShmTarget {
  /** Policy to set (any accepted form); absent: only show. */
  readonly policy?: string;
  /** Byte offset of the range in the object (page-aligned; default 0). */
  readonly offset?: bigint;
  /** Bytes from the offset (default: to the end of the object). */
  readonly length?: bigint;
  /** Also move pages already in the object to the policy's nodes. */
  readonly move?: boolean;
}

export interface PolicyRun {
  /** Byte offsets in the object. */
  readonly offset: number;
  readonly length: number;
  readonly policy: string;
}

export interface ShmReport {
  readonly kind: 'tmpfs' | 'hugetlbfs' | 'sysv' | 'file';
  readonly file?: string;
  readonly shmKey?: number;
  readonly shmid?: number;
  /** Object size in bytes. */
  readonly size: number;
  readonly offset: number;
  readonly length: number;
  /** Page size of the object (huge page size on hugetlbfs). */
  readonly pageSize: number;
  /** The policy set, as the kernel spells it; absent when only showing. */
  readonly set?: string;
  /** The object's policy over the range, in runs (after setting). */
  readonly policy: readonly PolicyRun[];
  /** Resident pages of the range per node (after moving). */
  readonly pagesPerNode: Record<number, number>;
  readonly residentPages: number;
  /** Pages per node before, when something was set or moved. */
  readonly beforePagesPerNode?: Record<number, number>;
  /** mbind's complaint when --move could not move every page (EIO), or EPERM. */
  readonly moveError?: string;
}

interface Attached {
  readonly kind: ShmReport['kind'];
  readonly addr: bigint;
  readonly size: number;
  readonly pageSize: number;
  readonly shmid?: number;
  release(): void;
}

/** key, shmid and size of System V segments, from /proc/sysvipc/shm. */
export function readSysvSegments(root = '/'): { key: number; shmid: number; size: number }[] {
  let text: string;
  try {
    text = readFileSync(`${root.replace(/\/$/, '')}/proc/sysvipc/shm`, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((w) => w.length >= 4 && /^-?\d+$/.test(w[0]!))
    .map((w) => ({ key: Number(w[0]), shmid: Number(w[1]), size: Number(w[3]) }));
}

function attachFile(path: string, needWrite: boolean): Attached {
  let fd: number;
  let writable = true;
  try {
    fd = openSync(path, constants.O_RDWR);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NumapolError('ENOENT', `${path} does not exist`, { usage: true });
    if ((code === 'EACCES' || code === 'EROFS') && !needWrite) {
      fd = openSync(path, constants.O_RDONLY);
      writable = false;
    } else throw new NumapolError(code ?? 'EIO', `cannot open ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const size = fstatSync(fd).size;
    const fs = statfsSync(path);
    const kind = fs.type === HUGETLBFS_MAGIC ? 'hugetlbfs' : fs.type === TMPFS_MAGIC ? 'tmpfs' : 'file';
    const ps = kind === 'hugetlbfs' ? fs.bsize : pageSize();
    if (size === 0) throw new NumapolError('EINVAL', `${path} is empty: size it first (truncate -s SIZE ${path})`, { usage: true });
    const mapLen = BigInt(Math.ceil(size / ps) * ps);
    const addr = mmapFile(fd, mapLen, 0n, { prot: writable ? PROT_READ | PROT_WRITE : PROT_READ });
    return { kind, addr, size, pageSize: ps, release: () => { munmap(addr, mapLen); closeSync(fd); } };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function attachSysv(t: ShmTarget, root: string | undefined): Attached {
  const segs = readSysvSegments(root);
  const seg = t.shmid !== undefined ? segs.find((s) => s.shmid === t.shmid) : segs.find((s) => s.key === t.shmKey);
  if (seg === undefined) {
    const what = t.shmid !== undefined ? `id ${t.shmid}` : `key ${t.shmKey}`;
    throw new NumapolError('ENOENT', `no System V shared memory segment with ${what} (see ipcs -m)`, { usage: true });
  }
  let addr: bigint;
  try {
    addr = shmAttach(seg.shmid, { readOnly: true });
  } catch (e) {
    if (e instanceof SyscallError && e.errnoName === 'EACCES') {
      throw new NumapolError('EACCES', `may not attach System V segment ${seg.shmid}: its mode does not let us read it (run as its owner or root)`, { cause: e });
    }
    throw e;
  }
  return { kind: 'sysv', addr, size: seg.size, pageSize: pageSize(), shmid: seg.shmid, release: () => shmDetach(addr) };
}

/**
 * Maps the object's resident pages into our page tables, so queries and MPOL_MF_MOVE see them,
 * without allocating pages for holes (mincore finds what the object has in memory).
 */
function faultResident(a: Attached, start: bigint, len: bigint): void {
  const read = (at: bigint, n: number): void => {
    for (let off = 0; off < n; off += 1 << 24) processVmRead(process.pid, at + BigInt(off), Math.min(1 << 24, n - off));
  };
  if (a.kind === 'hugetlbfs') {
    // mincore only sees our own huge page tables; a hugetlbfs file is as large as its pages.
    read(start, Number(len));
    return;
  }
  const vec = mincore(start, len);
  const ps = a.pageSize;
  let run = -1;
  for (let i = 0; i <= vec.length; i++) {
    const resident = i < vec.length && (vec[i]! & 1) === 1;
    if (resident && run < 0) run = i;
    if (!resident && run >= 0) {
      read(start + BigInt(run * ps), (i - run) * ps);
      run = -1;
    }
  }
}

function placement(start: bigint, len: bigint, ps: number): { perNode: Record<number, number>; resident: number } {
  const n = Number(len / BigInt(ps));
  const perNode: Record<number, number> = {};
  let resident = 0;
  const CHUNK = 65536;
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    const addrs = new BigUint64Array(m);
    for (let j = 0; j < m; j++) addrs[j] = start + BigInt((i + j) * ps);
    const st = queryPageNodes(0, addrs);
    for (const s of st) {
      if (s < 0) continue;
      perNode[s] = (perNode[s] ?? 0) + 1;
      resident++;
    }
  }
  return { perNode, resident };
}

function policyAt(addr: bigint): string {
  const raw = getMempolicy({ addr });
  return formatPolicy(fromKernelMode(raw.mode, raw.nodes));
}

/** Policy runs over the range: every page looked at up to 16384 pages, else 16384 samples. */
function policyRuns(start: bigint, len: bigint, ps: number): PolicyRun[] {
  const pages = Number(len / BigInt(ps));
  const stride = Math.max(1, Math.ceil(pages / 16384));
  const runs: { offset: number; length: number; policy: string }[] = [];
  for (let i = 0; i < pages; i += stride) {
    const p = policyAt(start + BigInt(i * ps));
    const last = runs[runs.length - 1];
    const bytes = Math.min(stride, pages - i) * ps;
    if (last !== undefined && last.policy === p) last.length += bytes;
    else runs.push({ offset: i * ps, length: bytes, policy: p });
  }
  return runs;
}

/** Shows, and with `policy` sets, the shared policy of a tmpfs/hugetlbfs file or SysV segment. */
export function shmPolicy(opts: ShmOptions): ShmReport {
  const targets = [opts.file !== undefined, opts.shmKey !== undefined, opts.shmid !== undefined].filter(Boolean).length;
  if (targets !== 1) throw new UsageError('name one object: --file PATH, --shm KEY or --shmid ID');
  if (opts.move && opts.policy === undefined) throw new UsageError('--move needs a POLICY to move the pages to');
  const policy = opts.policy === undefined ? undefined : userPolicy(opts.policy, opts.root === undefined ? {} : { root: opts.root });
  const a = opts.file !== undefined ? attachFile(opts.file, false) : attachSysv(opts, opts.root);
  try {
    const ps = a.pageSize;
    const offset = opts.offset ?? 0n;
    if (offset % BigInt(ps) !== 0n) throw new UsageError(`--offset must be a multiple of the page size (${ps} bytes)`);
    if (offset >= BigInt(a.size)) throw new UsageError(`--offset ${offset} is past the end of the object (${a.size} bytes)`);
    let length = opts.length ?? BigInt(a.size) - offset;
    if (offset + length > BigInt(a.size)) throw new UsageError(`--offset + --length runs past the end of the object (${a.size} bytes)`);
    length = ((length + BigInt(ps) - 1n) / BigInt(ps)) * BigInt(ps);
    const start = a.addr + offset;
    faultResident(a, start, length);
    let before: Record<number, number> | undefined;
    let moveError: string | undefined;
    let set: string | undefined;
    if (policy !== undefined) {
      before = placement(start, length, ps).perNode;
      const k = toKernelMode(policy);
      const flags = opts.move ? MPOL_MF_MOVE | (process.geteuid?.() === 0 ? MPOL_MF_MOVE_ALL : 0) : 0;
      try {
        // The kernel skips an mbind whose policy equals the mapping's own (mbind_range's
        // mpol_equal): our fresh mapping has none, so MPOL_DEFAULT would never reach the object's
        // shared policy. A policy first, then the default, replaces it for real.
        if (k.mode === MPOL_DEFAULT) mbind(start, length, MPOL_LOCAL, [], 0);
        mbind(start, length, k.mode, k.nodes, flags);
      } catch (e) {
        if (!(e instanceof SyscallError && opts.move && (e.errnoName === 'EIO' || e.errnoName === 'EPERM'))) throw e;
        moveError = e.message;
      }
      set = formatPolicy(policy);
    }
    const after = placement(start, length, ps);
    return {
      kind: a.kind,
      ...(opts.file === undefined ? {} : { file: opts.file }),
      ...(opts.shmKey === undefined ? {} : { shmKey: opts.shmKey }),
      ...(a.shmid === undefined ? {} : { shmid: a.shmid }),
      size: a.size,
      offset: Number(offset),
      length: Number(length),
      pageSize: ps,
      ...(set === undefined ? {} : { set }),
      policy: policyRuns(start, length, ps),
      pagesPerNode: after.perNode,
      residentPages: after.resident,
      ...(before === undefined ? {} : { beforePagesPerNode: before }),
      ...(moveError === undefined ? {} : { moveError }),
    };
  } finally {
    a.release();
  }
}
