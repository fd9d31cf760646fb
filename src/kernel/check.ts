import { errno } from './ffi.js';
import { SyscallError } from './syscall-error.js';

/**
 * The one call-and-check helper: run a libc call, read errno at once if it returned -1, and
 * throw a SyscallError naming the call. No caller ignores a return value.
 */
export function check<R extends number | bigint>(syscall: string, call: () => R, context?: string | (() => string)): R {
  const ret = call();
  // The context is built only on failure: hot paths (ptrace, thousands of calls) pay nothing.
  if (isFailure(ret)) failed(syscall, typeof context === 'function' ? context() : context);
  return ret;
}

const MINUS_ONE = -1n;

/**
 * Whether a libc call's result is -1, as a number or a bigint (koffi gives 64-bit results as
 * numbers while they fit). The type is looked at first: `ret === -1n` on a number computes the
 * bigint and compares across types at every successful call (both showed in the profile of a
 * 1,000-thread operation, ten calls a thread).
 */
export function isFailure(ret: number | bigint): boolean {
  return typeof ret === 'number' ? ret === -1 : ret === MINUS_ONE;
}

/**
 * Throws the SyscallError of a call that has just returned -1, with errno read now: nothing may
 * run between the call and this. For the hottest call sites (ptrace, thousands per operation),
 * which test the result themselves instead of allocating check()'s two closures per call.
 */
export function failed(syscall: string, context?: string): never {
  throw new SyscallError(syscall, errno(), context);
}
