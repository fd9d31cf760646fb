/**
 * The signal masks of an injection (bit n-1 = signal n), one definition for the tracer
 * (injection.ts) and the injected code (arch/x86_64-stub.ts).
 */
import { SIGTRAP } from '../kernel/wait.js';

export const ALL_SIGNALS = (1n << 64n) - 1n;

/** Signal `signal`'s bit in a mask. */
export function signalBit(signal: number): bigint {
  return 1n << BigInt(signal - 1);
}

export const SIGTRAP_BIT = signalBit(SIGTRAP);
/**
 * Everything blocked but SIGTRAP: the trap that ends a single step or injected code is forced,
 * and forcing a blocked signal would also reset the program's handler for it. (The kernel
 * leaves SIGKILL and SIGSTOP unblocked whatever is asked.)
 */
export const STEP_MASK = ALL_SIGNALS & ~SIGTRAP_BIT;
