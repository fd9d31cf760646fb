/**
 * The kernel's range-list text ("0-3,5,8-11"), as printed in sysfs cpulist/nodelist files and the
 * *_list fields of /proc/PID/status (bitmap_print_to_pagebuf with list=true): the one reader and
 * printer of that form. User-typed node lists (with `!`, `+`, `all`) are src/policy/'s job.
 */
import { readFileSync } from 'node:fs';

/**
 * Parse a kernel range list into ascending unique numbers. Empty or whitespace-only text is the
 * empty set (an empty has_cpu file, a cpuset with no mems). Throws a plain Error on malformed text,
 * which callers wrap with the file name.
 */
export function parseRanges(text: string): number[] {
  const out: number[] = [];
  const s = text.trim();
  if (s === '') return out;
  for (const part of s.split(',')) {
    // Kernel range lists may carry a stride ("0-15:2/4", bitmap_parselist); sysfs never prints it,
    // but accept it rather than fail on a hand-written fixture.
    const dash = part.indexOf('-');
    if (dash < 0) {
      out.push(toInt(part, text));
      continue;
    }
    const lo = toInt(part.slice(0, dash), text);
    const rest = part.slice(dash + 1);
    const colon = rest.indexOf(':');
    const hi = toInt(colon < 0 ? rest : rest.slice(0, colon), text);
    let used = 1;
    let group = 1;
    if (colon >= 0) {
      const [u, g] = rest.slice(colon + 1).split('/');
      used = toInt(u ?? '', text);
      group = toInt(g ?? '', text);
      if (group === 0) throw new Error(`bad range list ${JSON.stringify(text)}: zero group size`);
    }
    if (hi < lo) throw new Error(`bad range list ${JSON.stringify(text)}: ${lo}-${hi} runs backwards`);
    for (let base = lo; base <= hi; base += group) {
      for (let i = base; i < base + used && i <= hi; i++) out.push(i);
    }
  }
  return normalize(out);
}

/**
 * Format numbers as the kernel does (`%*pbl`): ascending, consecutive runs as `a-b`,
 * comma-separated. `pairs: 'list'` writes two adjacent numbers as `2,3` instead (the seeds' style).
 */
export function formatRanges(nums: Iterable<number>, options: { pairs?: 'range' | 'list' } = {}): string {
  const sorted = normalize([...nums]);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const lo = sorted[i]!;
    let hi = lo;
    while (i + 1 < sorted.length && sorted[i + 1] === hi + 1) hi = sorted[++i]!;
    if (lo === hi) parts.push(String(lo));
    else if (hi === lo + 1 && options.pairs === 'list') parts.push(String(lo), String(hi));
    else parts.push(`${lo}-${hi}`);
    i++;
  }
  return parts.join(',');
}

function normalize(nums: number[]): number[] {
  nums.sort((a, b) => a - b);
  const out: number[] = [];
  for (const n of nums) if (out.length === 0 || out[out.length - 1] !== n) out.push(n);
  return out;
}

function toInt(s: string, whole: string): number {
  const t = s.trim();
  if (!/^\d+$/.test(t)) throw new Error(`bad range list ${JSON.stringify(whole)}: ${JSON.stringify(t)} is not a number`);
  return Number(t);
}

/** parseRanges for callers that treat malformed text as absent: undefined instead of a throw. */
export function parseRangeList(text: string): number[] | undefined {
  try {
    return parseRanges(text);
  } catch {
    return undefined;
  }
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
