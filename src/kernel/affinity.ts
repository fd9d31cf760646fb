/** CPU affinity of a thread (numactl --cpunodebind / --physcpubind). */
import { BITS_PER_WORD, decodeBitmask, encodeBitmask, wordsFor } from './bitmask.js';
import { readListBits } from './range-list.js';
import { SyscallError } from './syscall-error.js';
import { syscallAbout } from './syscall.js';

const CPU_POSSIBLE = '/sys/devices/system/cpu/possible';
const FALLBACK_CPU_BITS = 1024;
/** sched_getaffinity never needs more than this (CONFIG_NR_CPUS tops out at 8192). */
const MAX_CPU_BITS = 1 << 16;

let cachedBits: number | undefined;

/** Bits in a CPU mask for this kernel: possible CPUs rounded to whole unsigned longs. */
export function cpuMaskBits(): number {
  if (cachedBits === undefined) {
    cachedBits = wordsFor(readListBits(CPU_POSSIBLE) ?? FALLBACK_CPU_BITS) * BITS_PER_WORD;
  }
  return cachedBits;
}

function about(tid: number): string | undefined {
  return tid === 0 ? undefined : `tid ${tid}`;
}

/** sched_setaffinity: restricts thread `tid` (0 = the calling thread) to `cpus`. */
export function schedSetaffinity(tid: number, cpus: readonly number[]): void {
  const mask = encodeBitmask(cpus, cpuMaskBits());
  syscallAbout(about(tid), 'sched_setaffinity', tid, mask.byteLength, mask);
}

/** sched_getaffinity: the CPUs thread `tid` (0 = the calling thread) may run on, ascending. */
export function schedGetaffinity(tid: number): number[] {
  for (let bits = cpuMaskBits(); ; bits *= 2) {
    const mask = new BigUint64Array(wordsFor(bits));
    try {
      // Returns the bytes the kernel wrote; the rest of the mask stays zero.
      syscallAbout(about(tid), 'sched_getaffinity', tid, mask.byteLength, mask);
      return decodeBitmask(mask);
    } catch (e) {
      // EINVAL: our idea of the possible CPUs was too small for this kernel; try a bigger mask.
      if (!(e instanceof SyscallError) || e.errnoName !== 'EINVAL' || bits >= MAX_CPU_BITS) throw e;
    }
  }
}
