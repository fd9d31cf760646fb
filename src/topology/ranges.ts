/**
 * The kernel's range-list text ("0-3,5,8-11"), as printed in sysfs cpulist/nodelist files and the
 * *_list fields of /proc/PID/status (bitmap_print_to_pagebuf with list=true). This is the tiny reader
 * for files the kernel wrote; user-typed node lists (with `!`, `+`, `all`) are src/policy/'s job.
 */

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

/** Format numbers as the kernel does: ascending, consecutive runs as `a-b`, comma-separated. */
export function formatRanges(nums: Iterable<number>): string {
  const sorted = normalize([...nums]);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const lo = sorted[i]!;
    let hi = lo;
    while (i + 1 < sorted.length && sorted[i + 1] === hi + 1) hi = sorted[++i]!;
    parts.push(lo === hi ? String(lo) : `${lo}-${hi}`);
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
