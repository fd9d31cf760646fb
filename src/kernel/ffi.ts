/**
 * The one place koffi is loaded. Loading costs ~2.5 ms (~9 through koffi's entry point, see
 * nativeBuild), so it happens lazily on the first syscall: read-only commands (`show`, `maps`,
 * `stat`) never pay for it.
 */
import { createRequire } from 'node:module';
import type * as Koffi from 'koffi';

export type KoffiModule = typeof Koffi;
export type KoffiLib = ReturnType<KoffiModule['load']>;

let koffiModule: KoffiModule | undefined;
let libcHandle: KoffiLib | undefined;

/**
 * koffi's own entry point spends ~6 of its ~9 ms choosing a binary: it loads node:util, reads
 * the ELF header of Node's executable to tell glibc from musl, and defines a getter per export.
 * On glibc Linux the binary it settles on is its per-platform package's `linux_<arch>` build,
 * so that one is loaded directly; anything else (musl, where that build does not load, another
 * OS, a layout npm nested differently) goes through the entry point.
 */
function nativeBuild(require: NodeJS.Require): KoffiModule | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const native = require(`@koromix/koffi-linux-${process.arch}/linux_${process.arch}/koffi.node`) as Partial<KoffiModule>;
    return typeof native.load === 'function' && typeof native.errno === 'function' ? (native as KoffiModule) : undefined;
  } catch {
    return undefined;
  }
}

export function koffi(): KoffiModule {
  if (koffiModule === undefined) {
    const require = createRequire(import.meta.url);
    koffiModule = nativeBuild(require) ?? (require('koffi') as KoffiModule);
  }
  return koffiModule;
}

export function libc(): KoffiLib {
  if (libcHandle === undefined) libcHandle = koffi().load('libc.so.6');
  return libcHandle;
}

const funcs = new Map<string, (...args: unknown[]) => unknown>();

/** A libc function by C prototype, declared once and cached. */
export function libcFunc<F extends (...args: never[]) => unknown>(prototype: string): F {
  let f = funcs.get(prototype);
  if (f === undefined) {
    f = libc().func(prototype) as (...args: unknown[]) => unknown;
    funcs.set(prototype, f);
  }
  return f as unknown as F;
}

/** errno of the calling thread, read right after a failing call (koffi preserves it). */
export function errno(): number {
  return koffi().errno();
}
