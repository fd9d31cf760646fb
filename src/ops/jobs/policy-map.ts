/**
 * A mempolicy under a job's node map: every node the policy names goes to its partner, so a job
 * on `bind=0-1` moved from 0-3 to 4-7 gets `bind=4-5`; mode and flags are kept.
 *
 * - No flag and MPOL_F_STATIC_NODES: the nodes are absolute, each is mapped.
 * - MPOL_F_RELATIVE_NODES: the nodes are positions in the task's allowed nodes (its cpuset's
 *   mems): position k means the k-th allowed node (folded modulo their count, as the kernel's
 *   mpol_relative_nodemask). The absolute nodes are mapped, then turned back into positions in the
 *   allowed nodes after the move. When the job keeps its cpuset (an affinity move) the positions
 *   change; when its cpuset's mems themselves move (a cgroup job) they stay, as the kernel's own
 *   rebinding keeps them.
 * - preferred, and a VMA policy's home node: the one node is mapped.
 * - default and local name no node and stay.
 *
 * Weighted interleave's weights are the machine's, per node (sysfs), not the policy's: a move
 * keeps the policy's mode and maps its nodes, and weightChanges says where a partner node's weight
 * differs, which changes the job's interleave ratios.
 */
import { UsageError } from '../../errors.js';
import { formatNodeList, formatPolicy, mempolicy, type Mempolicy, type NodeSet } from '../../policy/index.js';
import { mapNode, mapNodes } from './node-map.js';

export interface AllowedNodes {
  /** The task's allowed nodes (cpuset mems) before the move: what relative positions refer to. */
  readonly memsBefore: NodeSet;
  /** ... and after it. Default: memsBefore (the cpuset is not changed). */
  readonly memsAfter?: NodeSet;
}

/** The absolute nodes a relative nodemask means within `mems` (mpol_relative_nodemask). */
export function relativeToAbsolute(rel: NodeSet, mems: NodeSet): NodeSet {
  if (mems.length === 0) return [];
  return [...new Set(rel.map((k) => mems[k % mems.length]!))].sort((a, b) => a - b);
}

/** Positions of absolute nodes within `mems`; undefined when one is not there. */
export function absoluteToRelative(abs: NodeSet, mems: NodeSet): NodeSet | undefined {
  const out: number[] = [];
  for (const n of abs) {
    const k = mems.indexOf(n);
    if (k < 0) return undefined;
    out.push(k);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/**
 * The policy after the move. Throws a UsageError when a relative policy's nodes would land
 * outside the allowed nodes after the move (a relative nodemask cannot name them).
 */
export function remapPolicy(p: Mempolicy, nodeMap: ReadonlyMap<number, number>, allowed?: AllowedNodes): Mempolicy {
  if (p.mode === 'default' || p.mode === 'local') return p;
  const home = p.homeNode === undefined ? undefined : mapNode(nodeMap, p.homeNode);
  let nodes: NodeSet;
  if (p.flags.remap === 'relative') {
    if (allowed === undefined) throw new UsageError(`a relative policy (${formatPolicy(p)}) needs the task's allowed nodes to be moved`);
    const before = allowed.memsBefore;
    const after = allowed.memsAfter ?? before;
    const abs = relativeToAbsolute(p.nodes, before);
    const moved = mapNodes(nodeMap, abs);
    // The user's own bits already mean the moved nodes (a cgroup's mems moved with the job, or
    // nothing of the policy moved): keep them as they are (they may be folded, e.g. 0-7 in 4).
    if (sameNodes(moved, relativeToAbsolute(p.nodes, after))) return p;
    const rel = absoluteToRelative(moved, after);
    if (rel === undefined) {
      throw new UsageError(
        `${formatPolicy(p)} means nodes ${formatNodeList(abs)} (relative to ${formatNodeList(before)}); moved they are ${formatNodeList(moved)}, ` +
          `outside the allowed nodes ${formatNodeList(after)}`,
      );
    }
    nodes = rel;
  } else {
    nodes = mapNodes(nodeMap, p.nodes);
  }
  return mempolicy(p.mode, nodes, p.flags, home);
}

function sameNodes(a: NodeSet, b: NodeSet): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** Whether two policies are the same policy (mode, flags, nodes, home node). */
export function samePolicyExactly(a: Mempolicy, b: Mempolicy): boolean {
  return (
    a.mode === b.mode &&
    (a.flags.remap ?? '') === (b.flags.remap ?? '') &&
    !!a.flags.balancing === !!b.flags.balancing &&
    sameNodes(a.nodes, b.nodes) &&
    a.homeNode === b.homeNode
  );
}

/** Nodes of a weighted-interleave policy whose partner has another weight: from, to, weights. */
export function weightChanges(
  p: Mempolicy,
  nodeMap: ReadonlyMap<number, number>,
  weights: Readonly<Record<number, number>>,
): { from: number; to: number; fromWeight: number; toWeight: number }[] {
  if (p.mode !== 'weighted_interleave' || p.flags.remap === 'relative') return [];
  const out: { from: number; to: number; fromWeight: number; toWeight: number }[] = [];
  for (const n of p.nodes) {
    const t = nodeMap.get(n);
    if (t === undefined) continue;
    // The kernel treats a missing weight as 1.
    const fw = weights[n] ?? 1;
    const tw = weights[t] ?? 1;
    if (fw !== tw) out.push({ from: n, to: t, fromWeight: fw, toWeight: tw });
  }
  return out;
}
