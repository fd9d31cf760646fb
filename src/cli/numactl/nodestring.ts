/**
 * Node and CPU lists read the way libnuma 2.0.16 reads them for numactl and migratepages
 * (numa_parse_nodestring / numa_parse_cpustring), with its warnings, so the front ends accept,
 * refuse and complain exactly as the C tools do:
 *
 *     list := ['!'] ['+'] ( 'all' | item (',' item)* )      item := number ['-' number]
 *
 * Numbers are C's strtoul with base 0 (`010` is octal 8, `0x3` hex, `-1` the largest unsigned
 * long); `+` counts within the allowed set; `!` flips nodes 0..(nodes with memory - 1), which is
 * libnuma's behaviour even on machines with sparse node ids. numapol's own commands read node
 * lists with policy/nodelist.ts, whose edges are sharper on purpose.
 */

/** The set a list is read against, and what `!` flips. */
export interface MaskSpace {
  /** Members a number may name (the cpuset's, or every possible one with --all). */
  readonly allowed: readonly number[];
  /** Width of the allowed mask in bits: where a relative number past the last member lands. */
  readonly maskBits: number;
  /** `!` flips members 0..flipCount-1. */
  readonly flipCount: number;
}

export type MaskParse =
  | { readonly ok: true; readonly set: readonly number[] }
  /** `warning` is libnuma's; absent when libnuma gives up without one (trailing characters). */
  | { readonly ok: false; readonly warning?: string };

const ULONG = 1n << 64n;
const isSpace = (c: string | undefined): boolean => c !== undefined && ' \t\n\v\f\r'.includes(c);
const isAlpha = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z]$/.test(c);

/** C's strtoul(s + at, &end, 0): the value modulo 2^64 and where the number ended (`at` if none). */
export function strtoul(s: string, at: number): { value: bigint; end: number } {
  let p = at;
  while (isSpace(s[p])) p++;
  let negative = false;
  if (s[p] === '+' || s[p] === '-') negative = s[p++] === '-';
  let base = 10;
  if (s[p] === '0' && (s[p + 1] === 'x' || s[p + 1] === 'X') && /^[0-9a-fA-F]$/.test(s[p + 2] ?? '')) {
    base = 16;
    p += 2;
  } else if (s[p] === '0') base = 8;
  const start = p;
  let value = 0n;
  let overflow = false;
  for (; p < s.length; p++) {
    const d = parseInt(s[p]!, 36);
    if (Number.isNaN(d) || d >= base) break;
    value = value * BigInt(base) + BigInt(d);
    if (value >= ULONG) overflow = true;
  }
  if (p === start) return { value: 0n, end: at };
  if (overflow) value = ULONG - 1n;
  return { value: negative ? (ULONG - value) % ULONG : value, end: p };
}

/** printf("%d") of an unsigned long: its low 32 bits as a signed int. */
const asInt = (v: bigint): number => Number(BigInt.asIntN(32, v));

/** libnuma's get_nr: a number, or with `relative` the position of the number-th allowed member. */
function getNr(s: string, at: number, space: MaskSpace, relative: boolean): { value: bigint; end: number } {
  const r = strtoul(s, at);
  if (!relative || r.end === at) return r;
  let nr = BigInt.asIntN(64, r.value);
  const allowed = new Set(space.allowed);
  let i = 0;
  for (; nr >= 0n && i <= space.maskBits; i++) if (allowed.has(i)) nr--;
  return { value: BigInt.asUintN(64, BigInt(i - 1)), end: r.end };
}

interface Words {
  readonly unparseable: (rest: string) => string;
  readonly outOfRange: (value: bigint, rest: string) => string;
  readonly missing: (rest: string) => string;
  readonly secondOutOfRange: (value: bigint, rest: string) => string;
  /** The node parser looks at a word only when it starts with a letter. */
  readonly wordsNeedLetter: boolean;
}

const NODE_WORDS: Words = {
  unparseable: (rest) => `unparseable node description \`${rest}'\n`,
  outOfRange: (v) => `node argument ${asInt(v)} is out of range\n`,
  missing: (rest) => `missing node argument ${rest}\n`,
  secondOutOfRange: (v) => `node argument ${asInt(v)} out of range\n`,
  wordsNeedLetter: true,
};

const CPU_WORDS: Words = {
  unparseable: (rest) => `unparseable cpu description \`${rest}'\n`,
  outOfRange: (_v, rest) => `cpu argument ${rest} is out of range\n`,
  missing: (rest) => `missing cpu argument ${rest}\n`,
  secondOutOfRange: (_v, rest) => `cpu argument ${rest} out of range\n`,
  wordsNeedLetter: false,
};

function parseList(s: string, space: MaskSpace, words: Words): MaskParse {
  if (s === '') return { ok: true, set: [] };
  const allowed = new Set(space.allowed);
  const isAllowed = (v: bigint): boolean => v < BigInt(space.maskBits) && allowed.has(Number(v));
  const picked = new Set<number>();
  let p = 0;
  const invert = s[p] === '!';
  if (invert) p++;
  const relative = s[p] === '+';
  if (relative) p++;
  for (;;) {
    if ((!words.wordsNeedLetter || isAlpha(s[p])) && s.slice(p) === 'all') {
      for (const a of space.allowed) picked.add(a);
      p = s.length + 1;
      break;
    }
    const first = getNr(s, p, space, relative);
    if (first.end === p) return { ok: false, warning: words.unparseable(s.slice(p)) };
    if (!isAllowed(first.value)) return { ok: false, warning: words.outOfRange(first.value, s.slice(p)) };
    picked.add(Number(first.value));
    p = first.end;
    if (s[p] === '-') {
      p++;
      const last = getNr(s, p, space, relative);
      if (last.end === p) return { ok: false, warning: words.missing(s.slice(p)) };
      if (!isAllowed(last.value)) return { ok: false, warning: words.secondOutOfRange(last.value, s.slice(p)) };
      for (let v = first.value; v <= last.value; v++) if (allowed.has(Number(v))) picked.add(Number(v));
      p = last.end;
    }
    // C: while (*s++ == ','): the character looked at is passed over either way.
    if (s[p++] !== ',') break;
  }
  // The last character passed over must be the string's end.
  if (p - 1 !== s.length) return { ok: false };
  let set = [...picked];
  if (invert) {
    const flipped = new Set(set);
    for (let i = 0; i < space.flipCount; i++) {
      if (flipped.has(i)) flipped.delete(i);
      else flipped.add(i);
    }
    set = [...flipped];
  }
  return { ok: true, set: set.sort((a, b) => a - b) };
}

/** numa_parse_nodestring (allowed = the cpuset's nodes) or _all (allowed = every possible node). */
export function parseLibnumaNodes(s: string, space: MaskSpace): MaskParse {
  return parseList(s, space, NODE_WORDS);
}

/** numa_parse_cpustring (allowed = the task's CPUs) or _all (every configured CPU). */
export function parseLibnumaCpus(s: string, space: MaskSpace): MaskParse {
  return parseList(s, space, CPU_WORDS);
}
