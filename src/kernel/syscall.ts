import { check, failed, isFailure } from './check.js';
import { libcFunc } from './ffi.js';
import { syscallNumber, type SyscallName } from './syscall-numbers.js';

/**
 * One syscall argument: an integer (number, or bigint for addresses and anything past 2^53),
 * a buffer the kernel reads or fills (passed by pointer, no copy), or null for a NULL pointer.
 */
export type SyscallArg = number | bigint | ArrayBufferView | null;

type RawSyscall = (nr: number, ...typedArgs: unknown[]) => number | bigint;

/** koffi wants a C type before each variadic value. */
function typed(arg: SyscallArg): [string, unknown] {
  if (arg === null) return ['void *', null];
  if (typeof arg === 'bigint') {
    // Addresses and masks may use all 64 bits: a negative `long` would not hold them.
    return [arg < 0n ? 'long' : 'unsigned long', arg];
  }
  if (typeof arg === 'number') {
    if (!Number.isSafeInteger(arg)) throw new RangeError(`syscall argument ${arg} is not a safe integer`);
    return ['long', arg];
  }
  return ['void *', arg];
}

/**
 * Makes a raw syscall on the calling thread (in Node: the main JS thread, or the worker that
 * calls it) and returns its result as a bigint. Throws SyscallError naming the syscall when it
 * returns -1.
 */
export function syscall(name: SyscallName, ...args: SyscallArg[]): bigint {
  return syscallAbout(undefined, name, ...args);
}

/** As syscall(), with `context` ("pid 4242") added to the error message. */
export function syscallAbout(context: string | undefined, name: SyscallName, ...args: SyscallArg[]): bigint {
  const raw = libcFunc<RawSyscall>('long syscall(long, ...)');
  const nr = syscallNumber(name);
  const flat: unknown[] = [];
  for (const arg of args) flat.push(...typed(arg));
  return BigInt(check(name, () => raw(nr, ...flat), context));
}

/**
 * A syscall declared with its own argument types (`params`, C types after the number, as in
 * 'long pid, unsigned long count, void *pages'), for hot call sites: koffi prepares a fixed
 * prototype once, while syscall()'s variadic `long syscall(long, ...)` is typed and marshalled
 * afresh at every call (it showed per step when moving 4 KiB pages under emulation). Calling the
 * variadic syscall() this way is sound on the architectures we have syscall numbers for: on
 * x86-64 and arm64 integer and pointer arguments travel alike either way (glibc's syscall() only
 * moves registers into place). Declared at the first call; throws SyscallError on -1, as
 * syscallAbout does, with `context` in the message.
 */
export function fixedSyscall<A extends unknown[]>(name: SyscallName, params: string): (context: string | undefined, ...args: A) => number {
  let raw: ((nr: number, ...args: A) => number | bigint) | undefined;
  let nr = 0;
  return (context, ...args) => {
    if (raw === undefined) {
      raw = libcFunc<(nr: number, ...args: A) => number | bigint>(`long syscall(long nr, ${params})`);
      nr = syscallNumber(name);
    }
    const ret = raw(nr, ...args);
    if (isFailure(ret)) failed(name, context);
    return Number(ret);
  };
}
