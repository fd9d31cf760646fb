/**
 * The node map of a job move: as migrate_pages, the k-th node of FROM goes to the k-th node of
 * TO, so relative placement is kept (0-3 → 4-7 maps 0→4, 1→5, 2→6, 3→7). The map itself is
 * ops/migrate.ts's migrationMap; this file decides which FROM/TO pairs a job move accepts.
 *
 * - TO smaller than FROM is refused. migrate_pages would wrap modulo |TO| (0-3 → 4-5 folds 0,2→4
 *   and 1,3→5): a job's partner nodes would merge, its CPUs and policies could not be mapped one
 *   to one, and the move would have no inverse.
 * - TO larger than FROM: only its first |FROM| nodes are used (reported as `to`). migrate_pages,
 *   given sets of different sizes, leaves sources that are also destinations where they are
 *   (0-1 → 1-3 would move only 0→1, piling the job on node 1); equal sizes never do that.
 * - Nodes both left and entered (0-1 → 1-2) are fine: each source has one partner.
 */
import { UsageError } from '../../errors.js';
import { formatNodeList, nodeSet, type NodeSet } from '../../policy/index.js';
import { migrationMap } from '../migrate.js';

export interface JobNodeMap {
  /** Source nodes, ascending. */
  readonly from: NodeSet;
  /** Destination nodes used, ascending: the first |from| of what was asked. */
  readonly to: NodeSet;
  /** Source → destination; nodes that map to themselves are left out. */
  readonly map: ReadonlyMap<number, number>;
}

/** Checks FROM and TO for a job move and pairs them (see the module comment). */
export function jobNodeMap(fromNodes: Iterable<number>, toNodes: Iterable<number>): JobNodeMap {
  const from = nodeSet(fromNodes);
  const asked = nodeSet(toNodes);
  if (from.length === 0) throw new UsageError('the job uses no node to move from: give --from NODES');
  if (asked.length === 0) throw new UsageError('--to names no node');
  if (asked.length < from.length) {
    throw new UsageError(
      `the job is on ${from.length} nodes (${formatNodeList(from)}) but --to names ${asked.length} (${formatNodeList(asked)}): ` +
        `a job move keeps relative placement, so each node needs a partner of its own; give ${from.length} nodes, ` +
        `or narrow --from to the nodes that should move`,
      { details: { from, to: asked } },
    );
  }
  const to = asked.slice(0, from.length);
  return { from, to, map: migrationMap(from, to) };
}

/** Where node `n` goes: its partner, or itself when it is not moved. */
export function mapNode(m: ReadonlyMap<number, number>, n: number): number {
  return m.get(n) ?? n;
}

/** The image of a node set (ascending, no duplicates). */
export function mapNodes(m: ReadonlyMap<number, number>, nodes: Iterable<number>): NodeSet {
  const out: number[] = [];
  for (const n of nodes) out.push(mapNode(m, n));
  return nodeSet(out);
}

/** The map back: partner → source (a job map is one to one, so this is its inverse). */
export function inverseMap(m: ReadonlyMap<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [f, t] of m) out.set(t, f);
  return out;
}

/** The map as a list, for reports and the journal. */
export function mapPairs(m: ReadonlyMap<number, number>): { from: number; to: number }[] {
  return [...m].map(([from, to]) => ({ from, to })).sort((a, b) => a.from - b.from);
}
