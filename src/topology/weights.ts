/**
 * Weighted-interleave weights (Linux 6.9+): /sys/kernel/mm/mempolicy/weighted_interleave/nodeN,
 * and the later `auto` switch (the kernel has shipped it under the name `__auto_type` too).
 */
import { join } from 'node:path';
import { listDir, readOptional, type RootOptions } from './sysfs.js';

export interface InterleaveWeights {
  /** node id → weight (1-255). */
  weights: Record<number, number>;
  /** True when the kernel computes weights itself from bandwidth; undefined if there is no auto file. */
  auto?: boolean;
}

export function weightsDir(root = '/'): string {
  return join(root, 'sys/kernel/mm/mempolicy/weighted_interleave');
}

/** Read the weights, or undefined on kernels without weighted interleave. */
export function readInterleaveWeights(opts: RootOptions = {}): InterleaveWeights | undefined {
  const dir = weightsDir(opts.root);
  const names = listDir(dir);
  if (names.length === 0) return undefined;
  const weights: Record<number, number> = {};
  let auto: boolean | undefined;
  for (const name of names) {
    const text = readOptional(join(dir, name));
    if (text === undefined) continue;
    if (/^node\d+$/.test(name)) {
      const w = Number.parseInt(text.trim(), 10);
      if (Number.isFinite(w)) weights[Number(name.slice(4))] = w;
    } else if (name === 'auto' || name === '__auto_type') {
      const t = text.trim();
      auto = t === 'true' || t === '1' || t === 'Y';
    }
  }
  return auto === undefined ? { weights } : { weights, auto };
}
