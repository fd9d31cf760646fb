/**
 * Reading and writing another process's memory with process_vm_readv/writev: no ptrace stop
 * needed, permission is the same as for ptrace attach (PTRACE_MODE_ATTACH_REALCREDS).
 */
import { defineErrnoMeanings } from './errno.js';
import { failed } from './check.js';
import { closeFd, O_CLOEXEC, O_RDWR, openFd } from './fd.js';
import { libcFunc } from './ffi.js';
import { GrowablePinned, PinnedBlock } from './pinned.js';
import { SyscallError } from './syscall-error.js';
import { writeU64 } from './words.js';

const MEANINGS = {
  EFAULT: 'the address range is not mapped in the target (or not readable/writable there)',
  ESRCH: 'the process is gone',
  EPERM: 'not allowed to access this process\'s memory (other uid, not dumpable, or Yama)',
  ENOMEM: 'out of memory',
};
defineErrnoMeanings('process_vm_readv', MEANINGS);
defineErrnoMeanings('process_vm_writev', MEANINGS);

type VmFn = (pid: number, local: number, lcnt: number, remote: number, rcnt: number, flags: number) => number | bigint;

// The local and remote iovecs and the local bytes are handed to the kernel by address, so they
// live in pinned blocks (pinned.ts), never in JS-heap buffers that a GC may move or free.
let iovBlock: PinnedBlock | undefined;
const data = new GrowablePinned();

/** The C prototypes, written out once: libcFunc caches by prototype, so no string is built per call. */
const VM_PROTOTYPES = {
  process_vm_readv: 'intptr_t process_vm_readv(int, uintptr_t, unsigned long, uintptr_t, unsigned long, unsigned long)',
  process_vm_writev: 'intptr_t process_vm_writev(int, uintptr_t, unsigned long, uintptr_t, unsigned long, unsigned long)',
} as const;

function vmFn(name: keyof typeof VM_PROTOTYPES): VmFn {
  return libcFunc<VmFn>(VM_PROTOTYPES[name]);
}

/** Moves bytes between `local` (pinned) and the target; returns the byte count the kernel moved. */
function transfer(name: 'process_vm_readv' | 'process_vm_writev', pid: number, addr: bigint, local: PinnedBlock, length: number): number {
  const fn = vmFn(name);
  const iov = (iovBlock ??= new PinnedBlock(32));
  writeU64(iov.buf, 0, BigInt(local.addr));
  writeU64(iov.buf, 8, BigInt(length));
  writeU64(iov.buf, 16, addr);
  writeU64(iov.buf, 24, BigInt(length));
  const r = Number(fn(pid, iov.addr, 1, iov.addr + 16, 1, 0));
  if (r === -1) failed(name, `pid ${pid}, ${length} bytes at 0x${addr.toString(16)}`);
  return r;
}

/**
 * Reads `length` bytes at `addr` in process `pid`. Returns fewer bytes when the range runs into
 * an unmapped page (a partial read), like the syscall.
 */
export function processVmRead(pid: number, addr: bigint, length: number): Buffer {
  if (length === 0) return Buffer.alloc(0);
  const local = data.get(length);
  try {
    const n = transfer('process_vm_readv', pid, addr, local, length);
    return Buffer.from(local.buf.subarray(0, n));
  } finally {
    data.release();
  }
}

/** Most iovecs one process_vm_readv takes (UIO_MAXIOV). */
const MAX_IOV = 1024;
const manyIov = new GrowablePinned();

/**
 * Reads many small ranges of process `pid` with as few process_vm_readv calls as possible (one
 * per 1,024 ranges). Returns one buffer per range; undefined for a range the kernel did not read
 * in full (it stops at the first range it cannot read: the caller reads those one by one).
 */
export function processVmReadMany(pid: number, ranges: readonly { addr: bigint; length: number }[]): (Buffer | undefined)[] {
  const fn = vmFn('process_vm_readv');
  const out: (Buffer | undefined)[] = [];
  for (let from = 0; from < ranges.length; from += MAX_IOV) {
    const part = ranges.slice(from, from + MAX_IOV);
    const total = part.reduce((n, r) => n + r.length, 0);
    const iovs = manyIov.get(32 * part.length);
    const local = data.get(Math.max(total, 1));
    try {
      let off = 0;
      part.forEach((r, i) => {
        writeU64(iovs.buf, 16 * i, BigInt(local.addr + off));
        writeU64(iovs.buf, 16 * i + 8, BigInt(r.length));
        const remote = 16 * (part.length + i);
        writeU64(iovs.buf, remote, r.addr);
        writeU64(iovs.buf, remote + 8, BigInt(r.length));
        off += r.length;
      });
      const n = Number(fn(pid, iovs.addr, part.length, iovs.addr + 16 * part.length, part.length, 0));
      const got = n < 0 ? 0 : n;
      off = 0;
      for (const r of part) {
        out.push(off + r.length <= got ? Buffer.from(local.buf.subarray(off, off + r.length)) : undefined);
        off += r.length;
      }
    } finally {
      data.release();
      manyIov.release();
    }
  }
  return out;
}

/** Writes all of `data` at `addr` in process `pid`; throws EFAULT-style SyscallError on a short write. */
export function processVmWrite(pid: number, addr: bigint, bytes: Buffer): void {
  if (bytes.length === 0) return;
  const local = data.get(bytes.length);
  let n: number;
  try {
    bytes.copy(local.buf, 0);
    n = transfer('process_vm_writev', pid, addr, local, bytes.length);
  } finally {
    data.release();
  }
  if (n !== bytes.length) throw new SyscallError('process_vm_writev', 14, `pid ${pid}: wrote ${n} of ${bytes.length} bytes at 0x${addr.toString(16)}`);
}

defineErrnoMeanings('pwrite /proc/PID/mem', {
  EIO: 'the address range is not mapped in the target',
  EPERM: 'not allowed to write this process\'s memory (ptrace access, or proc_mem.force_override=never for a read-only page)',
  EACCES: 'not allowed to open this process\'s memory',
  ENOENT: 'the process is gone',
  ESRCH: 'the process is gone',
});

type PwriteFn = (fd: number, buf: number, size: number, offset: number) => number | bigint;

/**
 * Writes all of `bytes` at `addr` in process `pid` through /proc/PID/mem, which (unlike
 * process_vm_writev) writes pages the target may only read or execute, as a debugger sets a
 * breakpoint: the kernel copies such a private page first. The caller must be allowed to
 * ptrace the process (on kernels booted with proc_mem.force_override=ptrace, it must be tracing
 * it).
 */
export function writeMemForced(pid: number, addr: bigint, bytes: Buffer): void {
  if (bytes.length === 0) return;
  const path = `/proc/${pid}/mem`;
  const fd = openFd(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) failed('open /proc/PID/mem', `pid ${pid}`);
  const local = data.get(bytes.length);
  try {
    bytes.copy(local.buf, 0);
    const pwrite = libcFunc<PwriteFn>('long pwrite(int, uintptr_t, size_t, int64_t)');
    let done = 0;
    while (done < bytes.length) {
      const n = Number(pwrite(fd, local.addr + done, bytes.length - done, Number(addr) + done));
      if (n === -1) failed('pwrite /proc/PID/mem', `pid ${pid}, ${bytes.length} bytes at 0x${addr.toString(16)}`);
      if (n === 0) throw new SyscallError('pwrite /proc/PID/mem', 5, `pid ${pid}: wrote ${done} of ${bytes.length} bytes at 0x${addr.toString(16)}`);
      done += n;
    }
  } finally {
    data.release();
    closeFd(fd, path);
  }
}
