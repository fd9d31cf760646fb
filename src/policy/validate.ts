/**
 * What makes a mempolicy one the kernel will take, as rules a user can read. The rules follow
 * mpol_new() and sanitize_mpol_flags() in mm/mempolicy.c: numapol refuses early, with the rule's
 * name, what the kernel would only answer with EINVAL.
 */
import { NumapolError } from '../errors.js';
import type { Mempolicy, MempolicyMode } from './model.js';
import { checkNodesExist, formatNodeList } from './nodelist.js';

/** Which part of a policy broke a rule, so parsers can point at it. */
export type PolicyPart = 'nodes' | 'flags' | 'home';

export interface PolicyProblem {
  readonly part: PolicyPart;
  /** The broken rule, one line, e.g. "preferred takes exactly one node, not 2 (0-1)". */
  readonly rule: string;
}

const NO_NODES: ReadonlySet<MempolicyMode> = new Set(['default', 'local']);
/** Modes where MPOL_F_NUMA_BALANCING is accepted (bind since 5.12, preferred_many since 6.x). */
export const BALANCING_MODES: ReadonlySet<MempolicyMode> = new Set(['bind', 'preferred_many']);
/** Modes set_mempolicy_home_node accepts (it answers EOPNOTSUPP for the others). */
export const HOME_NODE_MODES: ReadonlySet<MempolicyMode> = new Set(['bind', 'preferred_many']);

/**
 * The first rule of the model's shape `p` breaks: how many nodes each mode takes, and that nodes
 * are node numbers. Every policy numapol builds from text has this shape.
 */
export function shapeProblem(p: Mempolicy): PolicyProblem | undefined {
  const count = p.nodes.length;
  const listed = count === 0 ? '' : ` (${formatNodeList(p.nodes)})`;
  if (NO_NODES.has(p.mode)) {
    if (count > 0) return { part: 'nodes', rule: `${p.mode} takes no nodes, got ${count}${listed}` };
  } else if (p.mode === 'preferred') {
    if (count !== 1) {
      return {
        part: 'nodes',
        rule: `preferred takes exactly one node, not ${count}${listed}${count > 1 ? ': use preferred_many for several' : ''}`,
      };
    }
  } else if (count === 0) {
    return { part: 'nodes', rule: `${p.mode} needs at least one node` };
  }
  for (const n of p.nodes) {
    if (!Number.isInteger(n) || n < 0) return { part: 'nodes', rule: `${n} is not a node number` };
  }
  if (p.homeNode !== undefined && (!Number.isInteger(p.homeNode) || p.homeNode < 0)) {
    return { part: 'home', rule: `home node ${p.homeNode} is not a node number` };
  }
  if (p.flags.remap !== undefined && p.flags.remap !== 'static' && p.flags.remap !== 'relative') {
    return { part: 'flags', rule: `unknown remap flag ${JSON.stringify(p.flags.remap)}: expected static or relative` };
  }
  return undefined;
}

/**
 * The first rule `p` breaks, shape or kernel, or undefined when the kernel would accept it.
 * The kernel rules (which flags and home nodes go with which mode) change between kernel versions
 * and describe what set_mempolicy/mbind accept, not what can be read: parsePolicy leaves them to
 * checkPolicy so that every policy a kernel prints can be read back.
 */
export function policyProblem(p: Mempolicy): PolicyProblem | undefined {
  const shape = shapeProblem(p);
  if (shape) return shape;
  if (NO_NODES.has(p.mode) && (p.flags.remap || p.flags.balancing)) {
    return { part: 'flags', rule: `${p.mode} takes no flags (static, relative and balancing need a node list)` };
  }
  if (p.flags.balancing && !BALANCING_MODES.has(p.mode)) {
    return { part: 'flags', rule: `balancing works only with bind and preferred_many, not ${p.mode}` };
  }
  if (p.homeNode !== undefined && !HOME_NODE_MODES.has(p.mode)) {
    return { part: 'home', rule: `a home node works only with bind and preferred_many, not ${p.mode}` };
  }
  return undefined;
}

/**
 * Return `p` if the kernel would accept it, else throw NumapolError EPOLICY (a usage error)
 * naming the broken rule. Does not look at the machine: see checkNodes for that.
 */
export function checkPolicy(p: Mempolicy): Mempolicy {
  const problem = policyProblem(p);
  if (problem) {
    throw new NumapolError('EPOLICY', `invalid mempolicy: ${problem.rule}`, {
      usage: true,
      details: { part: problem.part },
    });
  }
  return p;
}

/**
 * Throw NumapolError ENODE (a usage error) unless every node named exists on the machine:
 * "node 7 does not exist: this machine has nodes 0-3". For a policy, its nodes and home node are
 * checked, except the nodes of a `relative` policy: those are indices into the cpuset that the
 * kernel folds onto it (mpol_relative_nodemask), not node ids.
 */
export function checkNodes(what: Mempolicy | Iterable<number>, machineNodes: Iterable<number>): void {
  if (isMempolicy(what)) {
    const named = what.flags.remap === 'relative' ? [] : [...what.nodes];
    if (what.homeNode !== undefined) named.push(what.homeNode);
    checkNodesExist(named, machineNodes);
  } else {
    checkNodesExist(what, machineNodes);
  }
}

function isMempolicy(x: Mempolicy | Iterable<number>): x is Mempolicy {
  return typeof x === 'object' && x !== null && 'mode' in x && 'nodes' in x;
}
