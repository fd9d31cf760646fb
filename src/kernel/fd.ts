/**
 * open and close through the FFI, for the /proc readers that hand the kernel a pinned buffer
 * (proc-dir.ts, proc-file.ts): one declaration of each, and the flags they use.
 */
import { check } from './check.js';
import { libcFunc } from './ffi.js';

export const O_RDONLY = 0;
export const O_RDWR = 2;
export const O_DIRECTORY = 0o200000;
export const O_CLOEXEC = 0o2000000;

type OpenFn = (path: string, flags: number) => number;
type CloseFn = (fd: number) => number;

/** open(path, flags): the descriptor, or -1 with errno set (read it at once, e.g. through check). */
export function openFd(path: string, flags: number): number {
  return libcFunc<OpenFn>('int open(const char *, int)')(path, flags);
}

/** close(fd); throws a SyscallError naming `path` when it fails. */
export function closeFd(fd: number, path: string): void {
  const close = libcFunc<CloseFn>('int close(int)');
  check('close', () => close(fd), path);
}
