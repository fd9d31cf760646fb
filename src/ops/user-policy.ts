/**
 * Policies and node lists as users type them, checked against this machine: one place that
 * turns text into a Mempolicy the kernel will accept, with `all`, `!` and `+` resolved against
 * the machine's nodes and the target's cpuset.
 */
import { checkNodes, checkPolicy, parseNodeList, parsePolicy, type Mempolicy, type NodeContext, type NodeSet } from '../policy/index.js';
import { readCpuset } from '../topology/cpuset.js';
import { readMemoryNodes } from '../topology/nodes.js';
import type { OpsOptions } from './options.js';

export interface TargetOptions extends OpsOptions {
  /** Whose cpuset `all` and `+N` refer to; default this process. */
  readonly pid?: number;
  /** `all` and `+N` refer to every node with memory, not the cpuset (numactl --all). */
  readonly ignoreCpuset?: boolean;
}

export function nodeContext(opts: TargetOptions = {}): NodeContext {
  const nodes = readMemoryNodes(opts.root === undefined ? {} : { root: opts.root });
  let allowed: NodeSet = nodes.withMemory;
  if (opts.ignoreCpuset) return { nodes: nodes.online, allowed };
  try {
    const cs = readCpuset(opts.pid ?? process.pid, opts.root === undefined ? {} : { root: opts.root });
    if (cs.mems.length > 0) allowed = cs.mems.filter((n) => nodes.online.includes(n));
  } catch {
    // A fixture tree or a vanished target has no status: `all` then means every node with memory.
  }
  return { nodes: nodes.online, allowed };
}

/** Parse a policy in any accepted form and check its nodes exist here. */
export function userPolicy(text: string, opts: TargetOptions = {}): Mempolicy {
  const ctx = nodeContext(opts);
  const p = checkPolicy(parsePolicy(text, ctx));
  checkNodes(p, ctx.nodes);
  return p;
}

/** Parse a numactl node list (`all`, `!`, `+`, ranges) and check the nodes exist here. */
export function userNodes(text: string, opts: TargetOptions = {}): NodeSet {
  const ctx = nodeContext(opts);
  const nodes = parseNodeList(text, ctx);
  checkNodes(nodes, ctx.nodes);
  return nodes;
}
