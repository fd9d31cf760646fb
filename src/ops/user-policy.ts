/**
 * Policies and node lists as users type them, checked against this machine: one place that
 * turns text into a Mempolicy the kernel will accept, with `all`, `!` and `+` resolved against
 * the machine's nodes and the target's cpuset.
 */
import { checkNodes, checkPolicy, parseNodeList, parsePolicy, type Mempolicy, type NodeContext, type NodeSet } from '../policy/index.js';
import { readCpuset } from '../topology/cpuset.js';
import { readMemoryNodes, type MemoryNodes } from '../topology/nodes.js';
import type { OpsOptions } from './options.js';

export interface TargetOptions extends OpsOptions {
  /** Whose cpuset `all` and `+N` refer to; default this process. */
  readonly pid?: number;
  /** `all` and `+N` refer to every node with memory, not the cpuset (numactl --all). */
  readonly ignoreCpuset?: boolean;
}

/**
 * The machine's nodes and the target's cpuset, each read only when the text needs it: `bind=0`
 * reads the online nodes, `default` nothing, and only `all` or `+N` the target's cpuset.
 */
export function nodeContext(opts: TargetOptions = {}): NodeContext {
  const ro = opts.root === undefined ? {} : { root: opts.root };
  let machine: MemoryNodes | undefined;
  let allowed: NodeSet | undefined;
  const memoryNodes = (): MemoryNodes => (machine ??= readMemoryNodes(ro));
  return {
    get nodes() {
      return memoryNodes().online;
    },
    get allowed() {
      return (allowed ??= allowedNodes(memoryNodes(), opts, ro));
    },
  };
}

/** What `all` means for the target: its cpuset's nodes (online ones), else every node with memory. */
function allowedNodes(nodes: MemoryNodes, opts: TargetOptions, ro: { root?: string }): NodeSet {
  if (opts.ignoreCpuset) return nodes.withMemory;
  try {
    const cs = readCpuset(opts.pid ?? process.pid, ro);
    if (cs.mems.length > 0) return cs.mems.filter((n) => nodes.online.includes(n));
  } catch {
    // A fixture tree or a vanished target has no status: `all` then means every node with memory.
  }
  return nodes.withMemory;
}

/** Parse a policy in any accepted form and check its nodes exist here. */
export function userPolicy(text: string, opts: TargetOptions = {}): Mempolicy {
  const ctx = nodeContext(opts);
  const p = checkPolicy(parsePolicy(text, ctx));
  // A policy that names no node (default, local) has nothing to check against the machine.
  if (p.nodes.length > 0 || p.homeNode !== undefined) checkNodes(p, ctx.nodes);
  return p;
}

/** Parse a numactl node list (`all`, `!`, `+`, ranges) and check the nodes exist here. */
export function userNodes(text: string, opts: TargetOptions = {}): NodeSet {
  const ctx = nodeContext(opts);
  const nodes = parseNodeList(text, ctx);
  checkNodes(nodes, ctx.nodes);
  return nodes;
}
