/**
 * Fixture roots for ops tests: the sys and proc captures live in separate trees, and ops take one
 * `root`, so a temp dir joins them with symlinks. Plus small independent readers of the fixture
 * files, so expectations come from the files themselves, not from the code under test.
 */
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '../fixtures/fixture-path.js';

/** A root whose sys/ is `sysTree`'s and proc/ is `procTree`'s (either may be omitted). */
export function joinedRoot(sysTree?: string, procTree?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'numapol-ops-'));
  if (sysTree) symlinkSync(join(fixture(sysTree), 'sys'), join(dir, 'sys'));
  if (procTree) symlinkSync(join(fixture(procTree), 'proc'), join(dir, 'proc'));
  return dir;
}

export function readFixture(tree: string, path: string): string {
  return readFileSync(join(fixture(tree), path), 'utf8');
}

/** "0-2,5" → [0,1,2,5]: a naive expander, independent of src/. */
export function expand(list: string): number[] {
  const out: number[] = [];
  for (const part of list.trim().split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-').map(Number);
    for (let i = a!; i <= (b ?? a!); i++) out.push(i);
  }
  return out;
}

export interface FixtureNodeSums {
  total: Record<number, number>;
  anon: Record<number, number>;
  file: Record<number, number>;
  huge: Record<number, number>;
  heap: Record<number, number>;
  stack: Record<number, number>;
}

/** Per-node KiB sums of a numa_maps text, split the way numastat -p and `show` split them. */
export function sumNumaMaps(text: string): FixtureNodeSums {
  const s: FixtureNodeSums = { total: {}, anon: {}, file: {}, huge: {}, heap: {}, stack: {} };
  const add = (r: Record<number, number>, n: number, v: number): void => {
    r[n] = (r[n] ?? 0) + v;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const words = line.split(' ');
    const pageKiB = Number(words.find((w) => w.startsWith('kernelpagesize_kB='))?.slice(18) ?? 4);
    const fileWord = words.find((w) => w.startsWith('file='));
    const isFile = fileWord !== undefined && !fileWord.startsWith('file=/anon_hugepage');
    const huge = words.includes('huge');
    for (const w of words) {
      const m = /^N(\d+)=(\d+)$/.exec(w);
      if (!m) continue;
      const node = Number(m[1]);
      const kib = Number(m[2]) * pageKiB;
      add(s.total, node, kib);
      add(isFile ? s.file : s.anon, node, kib);
      if (huge) add(s.huge, node, kib);
      else if (words.includes('heap')) add(s.heap, node, kib);
      else if (words.includes('stack')) add(s.stack, node, kib);
    }
  }
  return s;
}
