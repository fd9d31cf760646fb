/** CPU → node of this machine, for callers that place by CPU. */
import { readMachine } from '../../topology/machine.js';
import type { OpsOptions } from '../options.js';

export function cpuToNodeMap(opts: OpsOptions = {}): Record<number, number> {
  return readMachine(opts.root === undefined ? {} : { root: opts.root }).cpuToNode;
}
