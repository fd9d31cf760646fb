/**
 * The kernel's automatic NUMA balancing switch, /proc/sys/kernel/numa_balancing: a bit mask since
 * 5.18 (NUMA_BALANCING_NORMAL 1, NUMA_BALANCING_MEMORY_TIERING 2), 0 or 1 before. The file is
 * absent on kernels built without CONFIG_NUMA_BALANCING.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NumapolError } from '../../errors.js';
import type { OpsOptions } from '../options.js';

export type NumaBalancingMode = 'off' | 'normal' | 'tiering' | 'normal+tiering' | 'unsupported';

export interface NumaBalancing {
  /** The number the file holds; null when the kernel has no such file. */
  readonly value: number | null;
  readonly mode: NumaBalancingMode;
  /** Bit 0: pages and tasks move toward each other on NUMA hinting faults. */
  readonly normal: boolean;
  /** Bit 1: hot pages are promoted from slow (memory-only, CXL/PMEM) nodes to fast ones. */
  readonly tiering: boolean;
}

export function numaBalancing(opts: OpsOptions = {}): NumaBalancing {
  const path = join(opts.root ?? '/', 'proc/sys/kernel/numa_balancing');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { value: null, mode: 'unsupported', normal: false, tiering: false };
    throw new NumapolError(code ?? 'EIO', `cannot read ${path}: ${(e as Error).message}`, { cause: e, details: { path } });
  }
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(value) || value < 0) {
    throw new NumapolError('EPARSE', `${path}: expected a number, got ${JSON.stringify(text.trim())}`, { details: { path } });
  }
  return describeNumaBalancing(value);
}

export function describeNumaBalancing(value: number): NumaBalancing {
  const normal = (value & 1) !== 0;
  const tiering = (value & 2) !== 0;
  const mode: NumaBalancingMode = normal && tiering ? 'normal+tiering' : normal ? 'normal' : tiering ? 'tiering' : 'off';
  return { value, mode, normal, tiering };
}
