/**
 * CPUs of a node: /sys/devices/system/node/nodeN/cpulist.
 */
import { join } from 'node:path';
import { NumapolError } from '../errors.js';
import { nodeSysDir, readRangesFile, type RootOptions } from './sysfs.js';

/** CPU ids of `node`, ascending (empty for a memory-only node). Throws ENODEV if the node does not exist. */
export function readNodeCpus(node: number, opts: RootOptions = {}): number[] {
  const path = join(nodeSysDir(opts.root), `node${node}`, 'cpulist');
  const cpus = readRangesFile(path);
  if (cpus === undefined) {
    throw new NumapolError('ENODEV', `node ${node} does not exist (no ${path})`, { details: { node } });
  }
  return cpus;
}
