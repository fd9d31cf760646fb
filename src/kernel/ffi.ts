/**
 * The one place koffi is loaded. Loading costs ~10 ms, so it happens lazily on the first
 * syscall: read-only commands (`show`, `maps`, `stat`) never pay for it.
 */
import { createRequire } from 'node:module';
import type * as Koffi from 'koffi';

export type KoffiModule = typeof Koffi;
export type KoffiLib = ReturnType<KoffiModule['load']>;

let koffiModule: KoffiModule | undefined;
let libcHandle: KoffiLib | undefined;

export function koffi(): KoffiModule {
  if (koffiModule === undefined) {
    const require = createRequire(import.meta.url);
    koffiModule = require('koffi') as KoffiModule;
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
