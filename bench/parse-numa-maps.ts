/**
 * Throughput of the maps + numa_maps readers on a synthetic process with 100,000 VMAs.
 * Reference in the same run: reading both files and splitting them into lines (the floor any
 * parser pays), so `ratioToSplit` says how much the parse and join cost on top.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatNumaMapsLine } from '../src/procfs/numa-maps-format.js';
import { readVmas, streamVmas } from '../src/procfs/vmas.js';
import type { NumaMapsEntry } from '../src/procfs/numa-maps.js';

export interface ParseNumaMapsBench {
  name: string;
  vmas: number;
  /** readVmas (sync read + parse + join) VMAs per second, best of the runs. */
  vmasPerSecond: number;
  /** streamVmas VMAs per second, best of the runs. */
  streamVmasPerSecond: number;
  /** Best readVmas time over best read-and-split time of the same files. */
  ratioToSplit: number;
  bestMs: number;
  splitMs: number;
  bytes: number;
}

const POLICIES = ['default', 'bind:0-3', 'interleave:0,2', 'prefer (many):1-2', 'weighted interleave:0-3', 'prefer=static:3'];

/** Write proc/1/{maps,numa_maps} with `count` VMAs of mixed kinds under `root`. */
export function writeSyntheticProcess(root: string, count: number): number {
  const dir = join(root, 'proc/1');
  mkdirSync(dir, { recursive: true });
  const maps: string[] = [];
  const numa: string[] = [];
  let addr = 0x7f0000000000n;
  for (let i = 0; i < count; i++) {
    const pages = 1 + (i % 64);
    const end = addr + BigInt(pages * 4096);
    const kind = i % 5;
    const path = kind === 0 ? `/usr/lib/x86_64-linux-gnu/lib number ${i % 97}.so` : kind === 1 && i === 1 ? '[heap]' : '';
    const hdr = `${addr.toString(16)}-${end.toString(16)} ${kind === 0 ? 'r-xp' : 'rw-p'} 00000000 ${kind === 0 ? 'fe:00 4242' : '00:00 0'}`;
    maps.push(path === '' ? hdr + ' ' : hdr.padEnd(73, ' ') + path);
    const pagesPerNode: Record<number, number> = {};
    const present = i % 7 === 0 ? 0 : pages;
    if (present > 0) {
      pagesPerNode[i % 4] = Math.ceil(present / 2);
      if (present > 1) pagesPerNode[(i + 1) % 4] = Math.floor(present / 2);
    }
    const e: NumaMapsEntry = {
      start: addr,
      policyText: POLICIES[i % POLICIES.length]!,
      heap: path === '[heap]',
      stack: false,
      huge: false,
      pagesPerNode,
      pages: present,
    };
    if (kind === 0) e.file = path;
    if (present > 0) {
      if (kind !== 0) {
        e.anon = present;
        e.dirty = present;
      } else e.mapped = present;
      if (i % 3 === 0) e.mapmax = 2;
      e.active = 0;
      e.kernelPageSizeKiB = 4;
    }
    numa.push(formatNumaMapsLine(e));
    addr = end + 4096n;
  }
  const m = maps.join('\n') + '\n';
  const n = numa.join('\n') + '\n';
  writeFileSync(join(dir, 'maps'), m);
  writeFileSync(join(dir, 'numa_maps'), n);
  return m.length + n.length;
}

function best(runs: number, f: () => void): number {
  let min = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    f();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms < min) min = ms;
  }
  return min;
}

export async function benchParseNumaMaps(count = 100_000, runs = 5): Promise<ParseNumaMapsBench> {
  const root = mkdtempSync(join(tmpdir(), 'numapol-bench-'));
  try {
    const bytes = writeSyntheticProcess(root, count);
    let sink = 0;
    const splitMs = best(runs, () => {
      for (const f of ['maps', 'numa_maps']) sink += readFileSync(join(root, 'proc/1', f), 'utf8').split('\n').length;
    });
    const bestMs = best(runs, () => {
      const v = readVmas(1, { root });
      if (v.length !== count) throw new Error(`joined ${v.length} of ${count} VMAs`);
      sink += v.length;
    });
    let streamMs = Infinity;
    for (let r = 0; r < runs; r++) {
      const t0 = process.hrtime.bigint();
      let k = 0;
      for await (const v of streamVmas(1, { root })) if (v.policyText !== undefined) k++;
      if (k !== count) throw new Error(`streamed ${k} of ${count} VMAs`);
      streamMs = Math.min(streamMs, Number(process.hrtime.bigint() - t0) / 1e6);
    }
    if (sink < 0) console.log(sink);
    return {
      name: 'parse maps+numa_maps (100k VMAs)',
      vmas: count,
      vmasPerSecond: Math.round(count / (bestMs / 1000)),
      streamVmasPerSecond: Math.round(count / (streamMs / 1000)),
      ratioToSplit: Number((bestMs / splitMs).toFixed(2)),
      bestMs: Number(bestMs.toFixed(1)),
      splitMs: Number(splitMs.toFixed(1)),
      bytes,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchParseNumaMaps(), null, 2));
}
