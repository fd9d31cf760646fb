/**
 * Node distances (SLIT): /sys/devices/system/node/nodeN/distance, one row per node.
 */
import { join } from 'node:path';
import { NumapolError } from '../errors.js';
import { nodeSysDir, readOptional, type RootOptions } from './sysfs.js';

export interface DistanceMatrix {
  /** Row/column labels: the online node ids, ascending. */
  nodes: number[];
  /** rows[i][j] = distance from nodes[i] to nodes[j]; 10 is local. */
  rows: number[][];
}

/**
 * Read the distance matrix for `nodes` (the online nodes). Each nodeN/distance file holds one
 * distance per online node, in node order.
 */
export function readDistances(nodes: readonly number[], opts: RootOptions = {}): DistanceMatrix {
  const dir = nodeSysDir(opts.root);
  const rows: number[][] = [];
  for (const n of nodes) {
    const path = join(dir, `node${n}`, 'distance');
    const text = readOptional(path);
    if (text === undefined) {
      // Without a SLIT the kernel uses 10 local / 20 remote; so do we for a missing file.
      rows.push(nodes.map((m) => (m === n ? 10 : 20)));
      continue;
    }
    const row = text.trim().split(/\s+/).map(Number);
    if (row.length !== nodes.length || row.some((d) => !Number.isInteger(d))) {
      throw new NumapolError('EPARSE', `${path}: expected ${nodes.length} distances, got ${JSON.stringify(text.trim())}`, {
        details: { path },
      });
    }
    rows.push(row);
  }
  return { nodes: [...nodes], rows };
}

/** Distance between two nodes, or undefined if either is not in the matrix. */
export function distance(m: DistanceMatrix, from: number, to: number): number | undefined {
  const i = m.nodes.indexOf(from);
  const j = m.nodes.indexOf(to);
  if (i < 0 || j < 0) return undefined;
  return m.rows[i]?.[j];
}
