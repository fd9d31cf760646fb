/**
 * NumaMapsEntry → the kernel's numa_maps line. Used to build fixtures and to test the parser by
 * round trip; field order follows fs/proc/task_mmu.c show_numa_map().
 */
import { escapeNumaMapsPath } from './escape.js';
import { formatHex } from './hex.js';
import type { NumaMapsEntry } from './numa-maps.js';

export function formatNumaMapsLine(e: NumaMapsEntry): string {
  let s = `${formatHex(e.start)} ${e.policyText}`;
  if (e.file !== undefined) s += ` file=${escapeNumaMapsPath(e.file)}`;
  else if (e.heap) s += ' heap';
  else if (e.stack) s += e.stackTid === undefined ? ' stack' : ` stack:${e.stackTid}`;
  if (e.huge) s += ' huge';
  const counters: Array<[string, number | undefined]> = [
    ['anon', e.anon],
    ['dirty', e.dirty],
    ['mapped', e.mapped],
    ['mapmax', e.mapmax],
    ['swapcache', e.swapcache],
    ['active', e.active],
    ['writeback', e.writeback],
  ];
  for (const [k, v] of counters) if (v !== undefined) s += ` ${k}=${v}`;
  const nodes = Object.keys(e.pagesPerNode)
    .map(Number)
    .sort((a, b) => a - b);
  for (const node of nodes) s += ` N${node}=${e.pagesPerNode[node]}`;
  if (e.other) for (const [k, v] of Object.entries(e.other)) s += v === '' ? ` ${k}` : ` ${k}=${v}`;
  if (e.kernelPageSizeKiB !== undefined) s += ` kernelpagesize_kB=${e.kernelPageSizeKiB}`;
  return s;
}
