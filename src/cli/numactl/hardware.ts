/**
 * `numactl --hardware` in numactl 2.0.16's layout: scripts grep `^available`, `node N cpus:`,
 * `node N free:` and read the distance table by columns (numactl's test/regress, bind_range).
 * `numapol hardware` stays numapol's richer view.
 */
import type { LibnumaView } from '../../topology/libnuma-view.js';
import { readDistances } from '../../topology/distances.js';
import { readNodeCpus } from '../../topology/node-cpus.js';
import { readNodeMeminfo } from '../../topology/node-meminfo.js';

/** C's "% 3d": a blank where the sign would go, at least three characters. */
export function spaced(n: number, width = 3): string {
  return (n < 0 ? String(n) : ` ${n}`).padStart(width);
}

/** numactl's node list for `available:` ("0-3", "0,2", "0-1,3"). */
export function availableList(nodes: readonly number[]): string {
  let out = '';
  let prev = -1;
  let inRange = false;
  const last = nodes.at(-1);
  for (const n of nodes) {
    if (prev === -1) {
      out += String(n);
    } else if (n > prev + 1) {
      if (inRange) out += String(prev);
      inRange = false;
      out += `,${n}`;
    } else {
      if (!inRange) out += '-';
      inRange = true;
      if (n === last) out += String(n);
    }
    prev = n;
  }
  return out;
}

function megabytes(kib: number | undefined): string {
  return kib === undefined ? '<not available>' : `${Math.floor(kib / 1024)} MB`;
}

export function hardwareText(view: LibnumaView): string {
  const nodes = view.nodes;
  let out = `available: ${nodes.length} nodes (${availableList(nodes)})\n`;
  for (const n of nodes) {
    let cpus: number[] = [];
    let total: number | undefined;
    let free: number | undefined;
    try {
      cpus = readNodeCpus(n);
    } catch {
      // numactl prints the line without CPUs when the node's cpumap cannot be read.
    }
    try {
      const m = readNodeMeminfo(n);
      total = m.totalKiB;
      free = m.freeKiB;
    } catch {
      // "<not available>", as numactl says for a node without meminfo.
    }
    out += `node ${n} cpus:${cpus.map((c) => ` ${c}`).join('')}\n`;
    out += `node ${n} size: ${megabytes(total)}\nnode ${n} free: ${megabytes(free)}\n`;
  }
  const d = readDistances(nodes);
  if (nodes.length === 0 || (d.rows.at(-1)?.[0] ?? 0) === 0) return `${out}No distance information available.\n`;
  out += `node distances:\nnode ${nodes.map((n) => `${spaced(n)} `).join('')}\n`;
  d.rows.forEach((row, i) => {
    out += `${spaced(nodes[i]!)}: ${row.map((v) => `${spaced(v)} `).join('')}\n`;
  });
  return out;
}
