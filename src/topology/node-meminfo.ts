/**
 * Per-node memory: /sys/devices/system/node/nodeN/meminfo and nodeN/hugepages/hugepages-<size>kB/.
 */
import { join } from 'node:path';
import { NumapolError } from '../errors.js';
import { listDir, nodeSysDir, readOptional, readRequired, type RootOptions } from './sysfs.js';

export interface HugePagePool {
  /** Huge page size in KiB (2048, 1048576...). */
  sizeKiB: number;
  /** nr_hugepages: pages in the pool on this node. */
  total: number;
  free: number;
  surplus: number;
}

export interface NodeMeminfo {
  node: number;
  totalKiB: number;
  freeKiB: number;
  usedKiB: number;
  /** FilePages: page cache on this node. */
  fileKiB: number;
  /** AnonPages. */
  anonKiB: number;
  shmemKiB: number;
  /** One entry per huge page size, ascending by size. */
  hugepages: HugePagePool[];
  /**
   * Every line of nodeN/meminfo by its kernel name ("MemTotal", "Active(file)", "HugePages_Total"):
   * KiB for `kB` lines, a count for the HugePages_* lines. numastat -m prints these.
   */
  fields: Record<string, number>;
}

/** Parse nodeN/meminfo text ("Node 0 MemTotal:  4810968 kB" lines) into name → number. */
export function parseNodeMeminfo(text: string): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    // Skip "Node N " so the key is the kernel field name.
    const head = line.slice(0, colon);
    const key = head.startsWith('Node ') ? head.slice(head.indexOf(' ', 5) + 1) : head.trim();
    const value = Number.parseInt(line.slice(colon + 1).trim(), 10);
    if (key !== '' && Number.isFinite(value)) fields[key] = value;
  }
  return fields;
}

/** Huge page pools of a node from nodeN/hugepages/. Empty when the kernel has no hugetlb. */
export function readNodeHugepages(node: number, opts: RootOptions = {}): HugePagePool[] {
  const dir = join(nodeSysDir(opts.root), `node${node}`, 'hugepages');
  const pools: HugePagePool[] = [];
  for (const name of listDir(dir)) {
    const m = /^hugepages-(\d+)kB$/.exec(name);
    if (!m) continue;
    const num = (f: string): number => Number.parseInt(readOptional(join(dir, name, f)) ?? '0', 10) || 0;
    pools.push({ sizeKiB: Number(m[1]), total: num('nr_hugepages'), free: num('free_hugepages'), surplus: num('surplus_hugepages') });
  }
  return pools.sort((a, b) => a.sizeKiB - b.sizeKiB);
}

/** Memory of `node`. Throws ENODEV if the node has no directory. */
export function readNodeMeminfo(node: number, opts: RootOptions = {}): NodeMeminfo {
  const path = join(nodeSysDir(opts.root), `node${node}`, 'meminfo');
  if (readOptional(path) === undefined) {
    throw new NumapolError('ENODEV', `node ${node} does not exist (no ${path})`, { details: { node } });
  }
  const fields = parseNodeMeminfo(readRequired(path));
  const get = (k: string): number => fields[k] ?? 0;
  const total = get('MemTotal');
  const free = get('MemFree');
  return {
    node,
    totalKiB: total,
    freeKiB: free,
    usedKiB: fields.MemUsed ?? total - free,
    fileKiB: get('FilePages'),
    anonKiB: get('AnonPages'),
    shmemKiB: get('Shmem'),
    hugepages: readNodeHugepages(node, opts),
    fields,
  };
}
