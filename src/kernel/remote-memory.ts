/**
 * Reading and writing another process's memory with process_vm_readv/writev: no ptrace stop
 * needed, permission is the same as for ptrace attach (PTRACE_MODE_ATTACH_REALCREDS).
 */
import { defineErrnoMeanings } from './errno.js';
import { errno, koffi, libcFunc } from './ffi.js';
import { SyscallError } from './syscall-error.js';

const MEANINGS = {
  EFAULT: 'the address range is not mapped in the target (or not readable/writable there)',
  ESRCH: 'the process is gone',
  EPERM: 'not allowed to access this process\'s memory (other uid, not dumpable, or Yama)',
  ENOMEM: 'out of memory',
};
defineErrnoMeanings('process_vm_readv', MEANINGS);
defineErrnoMeanings('process_vm_writev', MEANINGS);

type VmFn = (pid: number, local: bigint, lcnt: number, remote: bigint, rcnt: number, flags: number) => number | bigint;

function iovec(base: bigint, len: number): Buffer {
  const iov = Buffer.alloc(16);
  iov.writeBigUInt64LE(base, 0);
  iov.writeBigUInt64LE(BigInt(len), 8);
  return iov;
}

function transfer(name: 'process_vm_readv' | 'process_vm_writev', pid: number, addr: bigint, buf: Buffer): number {
  const fn = libcFunc<VmFn>(`intptr_t ${name}(int, intptr_t, unsigned long, intptr_t, unsigned long, unsigned long)`);
  if (buf.length === 0) return 0;
  const k = koffi();
  const local = iovec(k.address(buf), buf.length);
  const remote = iovec(addr, buf.length);
  const r = Number(fn(pid, k.address(local), 1, k.address(remote), 1, 0));
  if (r === -1) throw new SyscallError(name, errno(), `pid ${pid}, ${buf.length} bytes at 0x${addr.toString(16)}`);
  return r;
}

/**
 * Reads `length` bytes at `addr` in process `pid`. Returns fewer bytes when the range runs into
 * an unmapped page (a partial read), like the syscall.
 */
export function processVmRead(pid: number, addr: bigint, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = transfer('process_vm_readv', pid, addr, buf);
  return n === length ? buf : buf.subarray(0, n);
}

/** Writes all of `data` at `addr` in process `pid`; throws EFAULT-style SyscallError on a short write. */
export function processVmWrite(pid: number, addr: bigint, data: Buffer): void {
  const n = transfer('process_vm_writev', pid, addr, data);
  if (n !== data.length) throw new SyscallError('process_vm_writev', 14, `pid ${pid}: wrote ${n} of ${data.length} bytes at 0x${addr.toString(16)}`);
}
