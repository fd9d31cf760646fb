/**
 * Everything numapol needs to know about the machine's NUMA layout, in one read.
 */
import { readDistances, type DistanceMatrix } from './distances.js';
import { readNodeCpus } from './node-cpus.js';
import { readNodeMeminfo, type NodeMeminfo } from './node-meminfo.js';
import { readNodes, type NodeStates } from './nodes.js';
import type { RootOptions } from './sysfs.js';
import { readInterleaveWeights, type InterleaveWeights } from './weights.js';

export interface NumaNode {
  id: number;
  cpus: number[];
  memory: NodeMeminfo;
}

export interface NumaMachine extends NodeStates {
  /** Online nodes with their CPUs and memory, ascending by id. */
  nodes: NumaNode[];
  distances: DistanceMatrix;
  /** Undefined on kernels without weighted interleave (before 6.9). */
  interleaveWeights?: InterleaveWeights;
  /** CPU id → node id, for every CPU of an online node. */
  cpuToNode: Record<number, number>;
}

/** Read the whole topology under `root`. */
export function readMachine(opts: RootOptions = {}): NumaMachine {
  const states = readNodes(opts);
  const nodes: NumaNode[] = [];
  const cpuToNode: Record<number, number> = {};
  for (const id of states.online) {
    const cpus = states.numa ? readNodeCpus(id, opts) : [];
    for (const c of cpus) cpuToNode[c] = id;
    nodes.push({ id, cpus, memory: states.numa ? readNodeMeminfo(id, opts) : emptyMeminfo(id) });
  }
  const machine: NumaMachine = {
    ...states,
    nodes,
    distances: readDistances(states.online, opts),
    cpuToNode,
  };
  const weights = readInterleaveWeights(opts);
  if (weights !== undefined) machine.interleaveWeights = weights;
  return machine;
}

function emptyMeminfo(node: number): NodeMeminfo {
  return { node, totalKiB: 0, freeKiB: 0, usedKiB: 0, fileKiB: 0, anonKiB: 0, shmemKiB: 0, hugepages: [], fields: {} };
}
