/** The words of placement's explanations: sizes, shares and node sets as a person reads them. */
import { formatNodeList } from '../../policy/nodelist.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 3.1 GiB, 512 MiB, 0 B: powers of 1024, one decimal below 10 of a unit. */
export function bytesText(n: number): string {
  let v = Math.max(0, n);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const digits = u === 0 || v >= 10 ? 0 : 1;
  return `${v.toFixed(digits)} ${UNITS[u]}`;
}

export function percentText(share: number): string {
  return `${Math.round(Math.max(0, Math.min(1, share)) * 100)}%`;
}

export function cpusText(n: number): string {
  return `${n.toFixed(1)} CPU${n.toFixed(1) === '1.0' ? '' : 's'}`;
}

/** "node 2", "nodes 0-1,3". */
export function nodesText(nodes: readonly number[]): string {
  return nodes.length === 1 ? `node ${nodes[0]}` : `nodes ${formatNodeList(nodes)}`;
}
