/**
 * The node and CPU sets libnuma works out when a program starts, which numactl's node and CPU
 * lists are read against: the nodeN directories, nodes with memory, the task's Mems_allowed and
 * Cpus_allowed, and the "possible" sets used with --all. numapol's own node lists use the
 * kernel's online/has_memory states instead (ops/user-policy.ts); the drop-in front ends use
 * these so that `all`, `!` and `+` mean exactly what they mean to numactl 2.0.16.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readStatus } from '../procfs/status.js';
import { readRangesFile, type RootOptions } from './sysfs.js';
import { nodeDirsIn } from './nodes.js';
import { readNodeMeminfo } from './node-meminfo.js';
import { nodeSysDir } from './sysfs.js';

export interface LibnumaView {
  /** numa_nodes_ptr: every /sys/devices/system/node/nodeN directory, ascending. */
  readonly nodes: readonly number[];
  /** numa_max_node(): the highest of `nodes`. */
  readonly maxNode: number;
  /** numa_memnode_ptr: nodes whose meminfo has a MemTotal above 0. */
  readonly memNodes: readonly number[];
  /** numa_all_nodes_ptr: the task's Mems_allowed; every node up to maxNode when that is empty. */
  readonly allowedNodes: readonly number[];
  /** numa_possible_nodes_ptr: 0..maxNode (what `--all` reads node lists against). */
  readonly possibleNodes: readonly number[];
  /** Bits of a nodemask: Mems_allowed's width in /proc/self/status. */
  readonly nodemaskBits: number;
  /** sysconf(_SC_NPROCESSORS_CONF). */
  readonly configuredCpus: number;
  /** numa_all_cpus_ptr: the task's Cpus_allowed, below configuredCpus. */
  readonly allowedCpus: readonly number[];
  /** numa_possible_cpus_ptr: 0..configuredCpus-1. */
  readonly possibleCpus: readonly number[];
  /** Bits of a CPU mask as the kernel sizes it (whole longs over the possible CPUs). */
  readonly cpumaskBits: number;
}

const upTo = (n: number): number[] => Array.from({ length: Math.max(n, 0) }, (_, i) => i);

function configuredCpuCount(root: string): number {
  const dir = join(root, 'sys/devices/system/cpu');
  const possible = readRangesFile(join(dir, 'possible'));
  if (possible !== undefined && possible.length > 0) return Math.max(...possible) + 1;
  try {
    return readdirSync(dir).filter((n) => /^cpu\d+$/.test(n)).length || 1;
  } catch {
    return 1;
  }
}

/** What libnuma sees for the calling process (or `pid`'s status under `root`, for tests). */
export function readLibnumaView(opts: RootOptions & { pid?: number } = {}): LibnumaView {
  const root = opts.root ?? '/';
  const nodes = nodeDirsIn(nodeSysDir(root));
  const maxNode = nodes.length === 0 ? 0 : Math.max(...nodes);
  const ro = opts.root === undefined ? {} : { root: opts.root };
  const memNodes = nodes.filter((n) => {
    try {
      return readNodeMeminfo(n, ro).totalKiB > 0;
    } catch {
      return false;
    }
  });
  const status = readStatus(opts.pid ?? process.pid, ro);
  const possibleNodes = upTo(maxNode + 1);
  const allowedNodes = status.memsAllowed.length > 0 ? status.memsAllowed : possibleNodes;
  // libnuma sizes a nodemask from Mems_allowed's text: 9 characters per 32 bits (its newline counts).
  const memsText = status.fields['Mems_allowed'] ?? '';
  const nodemaskBits = memsText === '' ? 64 : Math.floor(((memsText.length + 1) * 32) / 9);
  const configuredCpus = configuredCpuCount(root);
  const allowed = status.cpusAllowed.filter((c) => c < configuredCpus);
  return {
    nodes,
    maxNode,
    memNodes,
    allowedNodes,
    possibleNodes,
    nodemaskBits,
    configuredCpus,
    allowedCpus: allowed.length > 0 ? allowed : upTo(configuredCpus),
    possibleCpus: upTo(configuredCpus),
    cpumaskBits: Math.ceil(configuredCpus / 64) * 64,
  };
}
