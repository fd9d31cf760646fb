/**
 * The mempolicy model: what the kernel stores per task and per VMA, in the kernel's words.
 * Text forms (seed `bind=0,2-5`, numa_maps `bind:0,2-5`, numactl node lists) live in parse.ts /
 * format.ts; kernel numbers live in codes.ts.
 */

/** Node numbers, ascending, without duplicates. Build with `nodeSet()` to keep that true. */
export type NodeSet = readonly number[];

export const MEMPOLICY_MODES = [
  'default',
  'local',
  'preferred',
  'bind',
  'interleave',
  'preferred_many',
  'weighted_interleave',
] as const;
export type MempolicyMode = (typeof MEMPOLICY_MODES)[number];

/** How a policy's nodes follow cpuset changes: MPOL_F_STATIC_NODES / MPOL_F_RELATIVE_NODES. */
export type NodesRemap = 'static' | 'relative';

export interface MempolicyFlags {
  /** MPOL_F_STATIC_NODES or MPOL_F_RELATIVE_NODES; absent means the kernel's default remapping. */
  readonly remap?: NodesRemap;
  /** MPOL_F_NUMA_BALANCING: let NUMA balancing migrate pages within the policy's nodes. */
  readonly balancing?: boolean;
}

export interface Mempolicy {
  readonly mode: MempolicyMode;
  /** Empty for `default` and `local`; exactly one node for `preferred`. */
  readonly nodes: NodeSet;
  readonly flags: MempolicyFlags;
  /** set_mempolicy_home_node's node, for bind / preferred_many VMA policies. */
  readonly homeNode?: number;
}

export function nodeSet(nodes: Iterable<number>): NodeSet {
  return [...new Set(nodes)].sort((a, b) => a - b);
}

export function mempolicy(
  mode: MempolicyMode,
  nodes: Iterable<number> = [],
  flags: MempolicyFlags = {},
  homeNode?: number,
): Mempolicy {
  const p: Mempolicy = { mode, nodes: nodeSet(nodes), flags };
  return homeNode === undefined ? p : { ...p, homeNode };
}

export const DEFAULT_POLICY: Mempolicy = Object.freeze({ mode: 'default', nodes: [], flags: {} });
