/**
 * A /proc directory listed with getdents64 on a descriptor kept open, so that listing it again
 * costs an lseek and two getdents64 (readdirSync opens, stats, reads twice and closes every
 * time). The engine lists /proc/PID/task twice around stopping a process, and every system call
 * between the last stop and the first injected one lengthens the time the process stands still.
 */
import { check } from './check.js';
import { defineErrnoMeanings } from './errno.js';
import { closeFd, O_CLOEXEC, O_DIRECTORY, O_RDONLY, openFd } from './fd.js';
import { libcFunc } from './ffi.js';
import { PinnedBlock } from './pinned.js';

const SEEK_SET = 0;
/** Room for some 1,300 thread ids per call. */
const BUFFER = 32768;

defineErrnoMeanings('open', {
  ENOENT: 'no such directory (the process is gone)',
  ESRCH: 'the process is gone',
});
defineErrnoMeanings('getdents64', {
  ENOENT: 'the directory was removed (the process is gone)',
});

type LseekFn = (fd: number, offset: number, whence: number) => number | bigint;
type GetdentsFn = (fd: number, buf: number, size: number) => number | bigint;

let block: PinnedBlock | undefined;

export class ProcDir {
  private fd: number;

  constructor(readonly path: string) {
    this.fd = check('open', () => openFd(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), path);
  }

  /**
   * The entries whose names are decimal numbers (the tids of /proc/PID/task, the descriptors of
   * /proc/PID/fd), read from the start of the directory. Parsed from the bytes: a listing of a
   * thousand tids makes no strings.
   */
  numbers(): number[] {
    if (this.fd < 0) throw new RangeError(`${this.path} is closed`);
    const lseek = libcFunc<LseekFn>('long lseek(int, long, int)');
    const getdents = libcFunc<GetdentsFn>('long getdents64(int, uintptr_t, size_t)');
    const b = (block ??= new PinnedBlock(BUFFER));
    const buf = b.buf;
    check('lseek', () => lseek(this.fd, 0, SEEK_SET), this.path);
    const out: number[] = [];
    for (;;) {
      // Only 0 means the end: a call returns early, even after one record, whenever a signal
      // is pending for this thread (filldir64 checks), however much room is left.
      const n = Number(check('getdents64', () => getdents(this.fd, b.addr, BUFFER), this.path));
      if (n === 0) return out;
      for (let at = 0; at < n;) {
        // struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, char name[] (NUL-ended).
        const reclen = buf[at + 16]! | (buf[at + 17]! << 8);
        const end = at + reclen;
        let i = at + 19;
        let v = 0;
        for (; i < end && buf[i] !== 0; i++) {
          const d = buf[i]! - 0x30;
          if (d < 0 || d > 9) break;
          v = v * 10 + d;
        }
        if (i > at + 19 && (i === end || buf[i] === 0)) out.push(v);
        at = end;
      }
    }
  }

  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    closeFd(fd, this.path);
  }
}
