import { readFileSync } from 'node:fs';

/**
 * Parses the kernel's list format ("0-3,8,10-11", as in /sys/devices/system/node/possible);
 * returns undefined when the text is not in that format. Empty text is the empty list.
 */
export function parseRangeList(text: string): number[] | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const out: number[] = [];
  for (const part of trimmed.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return undefined;
    for (let i = lo; i <= hi; i++) out.push(i);
  }
  return out;
}

/**
 * One more than the highest id listed in a sysfs list file (`possible`), i.e. how many bits a
 * mask needs; undefined when the file is missing or unreadable.
 */
export function readListBits(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const ids = parseRangeList(text);
  if (ids === undefined || ids.length === 0) return undefined;
  return Math.max(...ids) + 1;
}
