/**
 * Which NUMA nodes exist: /sys/devices/system/node/{possible,online,has_memory,has_cpu,has_normal_memory}.
 */
import { join } from 'node:path';
import { listDir, nodeSysDir, readRangesFile, type RootOptions } from './sysfs.js';

export interface NodeStates {
  /** Node ids the kernel could ever bring online (nr_node_ids = max + 1). */
  possible: number[];
  online: number[];
  /** N_MEMORY: nodes with memory; these are the ones numa_maps prints N<nid>= for. */
  withMemory: number[];
  withNormalMemory: number[];
  withCpu: number[];
  /** False when the kernel has no /sys/devices/system/node (CONFIG_NUMA off): one node 0 is assumed. */
  numa: boolean;
}

/** Read node states. A kernel without NUMA support is reported as a single node 0, like libnuma. */
export function readNodes(opts: RootOptions = {}): NodeStates {
  const dir = nodeSysDir(opts.root);
  const online = readRangesFile(join(dir, 'online'));
  if (online === undefined) {
    // Older kernels lack the state files but still have nodeN directories.
    const fromDirs = nodeDirsIn(dir);
    const nodes = fromDirs.length > 0 ? fromDirs : [0];
    return {
      possible: nodes,
      online: nodes,
      withMemory: nodes,
      withNormalMemory: nodes,
      withCpu: nodes,
      numa: fromDirs.length > 0,
    };
  }
  const withMemory = readRangesFile(join(dir, 'has_memory')) ?? online;
  return {
    possible: readRangesFile(join(dir, 'possible')) ?? online,
    online,
    withMemory,
    withNormalMemory: readRangesFile(join(dir, 'has_normal_memory')) ?? withMemory,
    withCpu: readRangesFile(join(dir, 'has_cpu')) ?? online,
    numa: true,
  };
}

/** Node ids that have a nodeN directory, ascending. */
export function nodeDirsIn(dir: string): number[] {
  const out: number[] = [];
  for (const name of listDir(dir)) {
    if (name.length > 4 && name.startsWith('node')) {
      const n = Number(name.slice(4));
      if (Number.isInteger(n) && n >= 0) out.push(n);
    }
  }
  return out.sort((a, b) => a - b);
}
