/**
 * Per-node allocation counters: /sys/devices/system/node/nodeN/numastat (what `numastat` prints).
 */
import { join } from 'node:path';
import { NumapolError } from '../errors.js';
import { nodeSysDir, readOptional, type RootOptions } from './sysfs.js';

/** Counters in pages, as the kernel keeps them. */
export interface NodeNumastat {
  node: number;
  /** Allocated here as intended. */
  numaHit: number;
  /** Allocated here although another node was preferred. */
  numaMiss: number;
  /** Intended for here but allocated elsewhere. */
  numaForeign: number;
  interleaveHit: number;
  /** Allocated here by a process running on this node. */
  localNode: number;
  /** Allocated here by a process running on another node. */
  otherNode: number;
  /** Every line by its kernel name, including ones added later. */
  fields: Record<string, number>;
}

export function parseNumastat(text: string): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const v = Number(line.slice(sp + 1).trim());
    if (Number.isFinite(v)) fields[line.slice(0, sp)] = v;
  }
  return fields;
}

/** Counters of `node`. Throws ENODEV if the node has no numastat file. */
export function readNodeNumastat(node: number, opts: RootOptions = {}): NodeNumastat {
  const path = join(nodeSysDir(opts.root), `node${node}`, 'numastat');
  const text = readOptional(path);
  if (text === undefined) throw new NumapolError('ENODEV', `node ${node} does not exist (no ${path})`, { details: { node } });
  const fields = parseNumastat(text);
  const get = (k: string): number => fields[k] ?? 0;
  return {
    node,
    numaHit: get('numa_hit'),
    numaMiss: get('numa_miss'),
    numaForeign: get('numa_foreign'),
    interleaveHit: get('interleave_hit'),
    localNode: get('local_node'),
    otherNode: get('other_node'),
    fields,
  };
}
