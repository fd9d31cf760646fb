/**
 * errno numbers → names, and what each means for the syscall that returned it. A bare
 * "Invalid argument" tells a user nothing; "mbind: EINVAL: the range is not page-aligned, the
 * mode/flags combination is invalid, or the nodemask is empty" does.
 */
import { ERRNO_MEANINGS } from './errno-meanings.js';

export const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 5: 'EIO', 7: 'E2BIG', 8: 'ENOEXEC', 9: 'EBADF',
  10: 'ECHILD', 11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES', 14: 'EFAULT', 16: 'EBUSY', 17: 'EEXIST',
  18: 'EXDEV', 19: 'ENODEV', 20: 'ENOTDIR', 21: 'EISDIR', 22: 'EINVAL', 23: 'ENFILE', 24: 'EMFILE',
  26: 'ETXTBSY', 28: 'ENOSPC', 30: 'EROFS', 34: 'ERANGE', 36: 'ENAMETOOLONG', 38: 'ENOSYS',
  40: 'ELOOP', 75: 'EOVERFLOW', 93: 'EPROTONOSUPPORT', 95: 'EOPNOTSUPP', 97: 'EAFNOSUPPORT',
  105: 'ENOBUFS', 111: 'ECONNREFUSED',
  512: 'ERESTARTSYS', 513: 'ERESTARTNOINTR', 514: 'ERESTARTNOHAND', 516: 'ERESTART_RESTARTBLOCK',
};

const GENERIC: Readonly<Record<string, string>> = {
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or page',
  ESRCH: 'no such process or thread',
  EINTR: 'interrupted by a signal',
  EIO: 'I/O error',
  E2BIG: 'argument list too long',
  EFAULT: 'bad address',
  EAGAIN: 'try again',
  ENOMEM: 'out of memory',
  EACCES: 'permission denied',
  EBUSY: 'busy',
  EXDEV: 'cross-device',
  ENODEV: 'no such device or node',
  ENOEXEC: 'not an executable format',
  ENOTDIR: 'not a directory',
  ETXTBSY: 'text file busy',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ERANGE: 'result out of range',
  EOVERFLOW: 'value too large',
  EINVAL: 'invalid argument',
  ENOSYS: 'this kernel does not have the syscall',
  EOPNOTSUPP: 'operation not supported',
  EPROTONOSUPPORT: 'protocol not supported',
  EAFNOSUPPORT: 'address family not supported',
  ENOBUFS: 'no buffer space available',
  ECONNREFUSED: 'connection refused',
};

/** Meanings per syscall, from the man pages and mm/mempolicy.c (see errno-meanings.ts). */
const PER_SYSCALL: Record<string, Readonly<Record<string, string>>> = { ...ERRNO_MEANINGS };

/** The symbolic name of an errno number ("EINVAL"), or "errno N" for one we do not list. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `errno ${errno}`;
}

/** Registers what an errno means for one syscall (kernel/ modules call this at load). */
export function defineErrnoMeanings(syscall: string, meanings: Readonly<Record<string, string>>): void {
  PER_SYSCALL[syscall] = {
    ...PER_SYSCALL[syscall],
    ...meanings,
  };
}

/** What an errno means for one syscall, falling back to its generic meaning. */
export function errnoMeaning(syscall: string, errno: number): string {
  const name = errnoName(errno);
  return PER_SYSCALL[syscall]?.[name] ?? GENERIC[name] ?? 'unknown error';
}
