/**
 * A small /proc file read with open, read and close through the FFI into one pinned buffer.
 * numapol reads /proc/PID/status before every operation on a process; through node:fs that read
 * cost 35-50 µs here, against 14 µs for the same system calls in C, which for a one-thread
 * operation was a fifth of the whole. procfs fills a read until the file ends, so one read that
 * leaves room is the whole file (the read after it, at the end, returns at once).
 */
import { closeFd, O_CLOEXEC, O_RDONLY, openFd } from './fd.js';
import { libcFunc } from './ffi.js';
import { PinnedBlock } from './pinned.js';

type ReadFn = (fd: number, buf: number, size: number) => number | bigint;

let block: PinnedBlock | undefined;
const INITIAL = 8192;

/**
 * The text of file `path` (latin1), or undefined when it cannot be opened or read (a process
 * or thread that is gone). Read until the end: a file longer than the buffer (the mask lines of
 * thousands of CPUs) goes on into a larger one.
 */
export function readProcFile(path: string): string | undefined {
  const read = libcFunc<ReadFn>('long read(int, uintptr_t, size_t)');
  let b = (block ??= new PinnedBlock(INITIAL));
  const fd = openFd(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return undefined;
  try {
    let used = 0;
    for (;;) {
      if (used === b.size) {
        const bigger = new PinnedBlock(b.size * 2);
        bigger.buf.set(b.buf.subarray(0, used));
        b = block = bigger;
      }
      const n = Number(read(fd, b.addr + used, b.size - used));
      if (n < 0) return undefined;
      if (n === 0) return b.buf.toString('latin1', 0, used);
      used += n;
    }
  } finally {
    closeFd(fd, path);
  }
}
