import { errno } from './ffi.js';
import { SyscallError } from './syscall-error.js';

/**
 * The one call-and-check helper: run a libc call, read errno at once if it returned -1, and
 * throw a SyscallError naming the call. No caller ignores a return value.
 */
export function check<R extends number | bigint>(syscall: string, call: () => R, context?: string): R {
  const ret = call();
  if (ret === -1 || ret === -1n) throw new SyscallError(syscall, errno(), context);
  return ret;
}
