/**
 * Mappings of the calling process: scratch regions for tests, benchmarks and `numapol run`
 * style helpers that need real pages to bind and move.
 */
import { check } from './check.js';
import { libcFunc } from './ffi.js';
import { defineErrnoMeanings } from './errno.js';
import { syscall } from './syscall.js';

export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
/** Same value on x86_64 and aarch64. */
export const MAP_ANONYMOUS = 0x20;

const SC_PAGESIZE = 30;
let cachedPageSize: number | undefined;

/** The base page size (4096 on x86_64; 4096, 16384 or 65536 on aarch64). */
export function pageSize(): number {
  if (cachedPageSize === undefined) {
    const sysconf = libcFunc<(name: number) => number>('long sysconf(int)');
    cachedPageSize = check('sysconf', () => sysconf(SC_PAGESIZE));
  }
  return cachedPageSize;
}

export interface MmapOptions {
  /** PROT_* bits; read+write by default. */
  prot?: number;
  /** Mapped shared instead of private (pages shared with children after fork). */
  shared?: boolean;
}

/** Maps `length` bytes of anonymous memory; returns the (page-aligned) address. */
export function mmapAnonymous(length: bigint, opts: MmapOptions = {}): bigint {
  const prot = opts.prot ?? PROT_READ | PROT_WRITE;
  const flags = (opts.shared === true ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS;
  return syscall('mmap', 0n, length, prot, flags, -1, 0);
}

/** Unmaps [addr, addr+length). */
export function munmap(addr: bigint, length: bigint): void {
  syscall('munmap', addr, length);
}

/**
 * Writes `byte` over [addr, addr+length) so its pages are faulted in (allocated under the
 * policy in force). Only for memory this process mapped writable: a bad address kills the
 * process, there is no errno to report.
 */
export function fillMemory(addr: bigint, length: bigint, byte = 0): void {
  const memset = libcFunc<(s: bigint, c: number, n: bigint) => unknown>('uintptr_t memset(uintptr_t, int, size_t)');
  memset(addr, byte, length);
}

defineErrnoMeanings('shmget', {
  ENOENT: 'no System V shared memory segment has this key',
  EACCES: 'we may not access the segment (its mode does not allow us)',
  EINVAL: 'the segment is smaller than the size asked for',
});
defineErrnoMeanings('shmat', {
  EACCES: 'we may not attach the segment with the access asked for',
  EINVAL: 'no segment has this id, or it is being removed',
});
defineErrnoMeanings('mincore', {
  ENOMEM: 'part of the range is not mapped',
  EINVAL: 'the address is not page-aligned',
});

/**
 * Maps `length` bytes of the open file `fd` from `offset` (page-aligned); shared by default so
 * a policy set on the mapping lands in a tmpfs/hugetlbfs object's shared policy.
 */
export function mmapFile(fd: number, length: bigint, offset: bigint, opts: MmapOptions = {}): bigint {
  const prot = opts.prot ?? PROT_READ | PROT_WRITE;
  const flags = opts.shared === false ? MAP_PRIVATE : MAP_SHARED;
  return syscall('mmap', 0n, length, prot, flags, fd, offset);
}

/**
 * mincore: one byte per page of [addr, addr+length), bit 0 set when the page is resident in
 * memory (page cache for files), whether or not this process has it in its page tables.
 */
export function mincore(addr: bigint, length: bigint): Uint8Array {
  const ps = BigInt(pageSize());
  const vec = new Uint8Array(Number((length + ps - 1n) / ps));
  if (vec.length > 0) syscall('mincore', addr, length, vec);
  return vec;
}

export const SHM_RDONLY = 0o10000;
/** shmget flags: create the segment (with the mode bits or'ed in), back it by huge pages. */
export const IPC_CREAT = 0o1000;
export const SHM_HUGETLB = 0o4000;

/**
 * shmget(key, size, flags): the id of the System V segment with this key; with IPC_CREAT in
 * `flags` a new one of `size` bytes when there is none. Without arguments: an existing one.
 */
export function shmGet(key: number, size = 0n, flags = 0): number {
  return Number(syscall('shmget', key, size, flags));
}

/**
 * ftok(3): the System V key of `path` and project id `projId` (glibc's: from the file's device
 * and inode). Throws SyscallError('ftok', …) when the file cannot be stat'ed.
 */
export function ftok(path: string, projId: number): number {
  const fn = libcFunc<(path: string, id: number) => number>('int ftok(const char *, int)');
  return check('ftok', () => fn(path, projId), path);
}

/** shmat: attaches segment `shmid` at an address the kernel picks; returns it. */
export function shmAttach(shmid: number, opts: { readOnly?: boolean } = {}): bigint {
  return syscall('shmat', shmid, 0n, opts.readOnly ? SHM_RDONLY : 0);
}

/** shmdt: detaches the segment attached at `addr`. */
export function shmDetach(addr: bigint): void {
  syscall('shmdt', addr);
}
