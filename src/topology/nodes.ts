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

/** The nodes a user's node list is checked against: online, and those with memory. */
export interface MemoryNodes {
  online: number[];
  withMemory: number[];
  /** False when the kernel has no /sys/devices/system/node (CONFIG_NUMA off). */
  numa: boolean;
  /** The kernel has the node state files (possible, online, has_memory...). */
  states: boolean;
}

/**
 * online and has_memory only (two reads instead of readNodes' five): what parsing a policy
 * needs, on the path of every set and run.
 */
export function readMemoryNodes(opts: RootOptions = {}): MemoryNodes {
  const dir = nodeSysDir(opts.root);
  const online = readRangesFile(join(dir, 'online'));
  if (online === undefined) {
    // Older kernels lack the state files but still have nodeN directories.
    const fromDirs = nodeDirsIn(dir);
    const nodes = fromDirs.length > 0 ? fromDirs : [0];
    return { online: nodes, withMemory: nodes, numa: fromDirs.length > 0, states: false };
  }
  let withMemory: number[] | undefined;
  return {
    online,
    // Read when asked: a policy that names its nodes never needs it.
    get withMemory() {
      return (withMemory ??= readRangesFile(join(dir, 'has_memory')) ?? online);
    },
    numa: true,
    states: true,
  };
}

/** Read node states. A kernel without NUMA support is reported as a single node 0, like libnuma. */
export function readNodes(opts: RootOptions = {}): NodeStates {
  const m = readMemoryNodes(opts);
  if (!m.states) {
    return { possible: m.online, online: m.online, withMemory: m.online, withNormalMemory: m.online, withCpu: m.online, numa: m.numa };
  }
  const dir = nodeSysDir(opts.root);
  return {
    possible: readRangesFile(join(dir, 'possible')) ?? m.online,
    online: m.online,
    withMemory: m.withMemory,
    withNormalMemory: readRangesFile(join(dir, 'has_normal_memory')) ?? m.withMemory,
    withCpu: readRangesFile(join(dir, 'has_cpu')) ?? m.online,
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
