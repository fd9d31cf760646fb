/**
 * The units the daemon's configuration is written in: durations (`500ms`, `5s`, `2m`, `1h`),
 * byte rates (`200MB/s`), byte sizes (`300MB`, `1GiB`, `512k`) and event rates (`50/s`).
 *
 * SI prefixes are powers of 1000 and IEC ones powers of 1024, as their names say: `200MB/s` is
 * 200·10^6 bytes a second, the unit of the CLI's `--rate`. A bare `k`, `m`, `g` or `t` on a size
 * is binary, as numactl and the CLI's `--length` read it. (ops/address-range.ts's parseSize
 * reads `MB` as MiB, which is right for `--length 64mb` but would make `300MB` here mean
 * something else than `200MB/s` beside it, so sizes are read here.)
 *
 * Parsers throw UsageError whose message is the problem alone; the loader adds where it is.
 */
import { UsageError } from '../../errors.js';

/** A duration as text: a decimal number and a unit; a bare number means seconds. */
export const DURATION_PATTERN = '^([0-9]+)(\\.[0-9]+)?(ms|s|m|h)?$';
/** A byte rate as text: a decimal number, a byte unit, then `/s`. */
export const RATE_PATTERN = '^([0-9]+)(\\.[0-9]+)?(B|kB|MB|GB|TB|KiB|MiB|GiB|TiB)/s$';
/** A byte size as text: a decimal number and an optional unit; bare means bytes. */
export const SIZE_PATTERN = '^([0-9]+)(\\.[0-9]+)?(B|kB|MB|GB|TB|KiB|MiB|GiB|TiB|[kKmMgGtT])?$';
/** Events per second as text. */
export const PER_SECOND_PATTERN = '^[0-9]+(\\.[0-9]+)?/s$';

const DURATION_RE = new RegExp(DURATION_PATTERN);
const RATE_RE = new RegExp(RATE_PATTERN);
const SIZE_RE = new RegExp(SIZE_PATTERN);
const PER_SECOND_RE = new RegExp(PER_SECOND_PATTERN);

const DURATION_MS: Readonly<Record<string, bigint>> = { ms: 1n, s: 1000n, m: 60_000n, h: 3_600_000n, '': 1000n };

const BYTE_UNITS: Readonly<Record<string, bigint>> = {
  '': 1n,
  B: 1n,
  kB: 10n ** 3n,
  MB: 10n ** 6n,
  GB: 10n ** 9n,
  TB: 10n ** 12n,
  KiB: 1n << 10n,
  MiB: 1n << 20n,
  GiB: 1n << 30n,
  TiB: 1n << 40n,
  k: 1n << 10n,
  m: 1n << 20n,
  g: 1n << 30n,
  t: 1n << 40n,
};

/** Units formatters may choose, largest first (so a tie in mantissa goes to the larger unit). */
const FORMAT_BYTE_UNITS = ['TiB', 'TB', 'GiB', 'GB', 'MiB', 'MB', 'KiB', 'kB'] as const;

const DURATION_HELP = 'expected a number with ms, s, m or h (500ms, 5s, 2m, 1h), or a number of seconds';
const RATE_HELP = 'expected a number of bytes per second such as 200MB/s (B/s, kB/s, MB/s, GB/s are powers of 1000; KiB/s, MiB/s, GiB/s powers of 1024)';
const SIZE_HELP = 'expected a number of bytes, or a number with a unit such as 300MB, 1GiB or 512k (kB, MB, GB are powers of 1000; KiB, MiB, GiB and k, m, g powers of 1024)';

/** value × unit exactly: "1.5" × 1024 = 1536, from the decimal digits, no float rounding. */
function scaled(number: string, unit: bigint): { whole: bigint; exact: boolean } {
  const [int, frac = ''] = number.split('.');
  const scale = 10n ** BigInt(frac.length);
  const product = BigInt(`${int}${frac}`) * unit;
  return { whole: product / scale, exact: product % scale === 0n };
}

function safeNumber(n: bigint, text: string, what: string): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new UsageError(`${what} ${JSON.stringify(text)} is too large`);
  return Number(n);
}

/** A duration in milliseconds. A bare number (YAML's `5`, or the text `"5"`) is seconds. */
export function parseDuration(value: string | number): number {
  const text = typeof value === 'number' ? numberText(value, 'duration') : value.trim();
  const m = DURATION_RE.exec(text);
  if (!m) throw new UsageError(`bad duration ${JSON.stringify(text)}: ${DURATION_HELP}`);
  const { whole, exact } = scaled(m[1]! + (m[2] ?? ''), DURATION_MS[m[3] ?? '']!);
  if (!exact) throw new UsageError(`bad duration ${JSON.stringify(text)}: durations are whole milliseconds`);
  return safeNumber(whole, text, 'duration');
}

/** A byte rate in bytes per second: `200MB/s` is 200,000,000. */
export function parseRate(text: string): number {
  const t = text.trim();
  const m = RATE_RE.exec(t);
  if (!m) throw new UsageError(`bad rate ${JSON.stringify(t)}: ${RATE_HELP}`);
  const { whole, exact } = scaled(m[1]! + (m[2] ?? ''), BYTE_UNITS[m[3]!]!);
  if (!exact) throw new UsageError(`bad rate ${JSON.stringify(t)}: not a whole number of bytes per second`);
  if (whole === 0n) throw new UsageError(`bad rate ${JSON.stringify(t)}: a rate must be more than 0 (leave the key out for no limit)`);
  return safeNumber(whole, t, 'rate');
}

/** A byte size: a bare number is bytes; `300MB` is 300,000,000, `1GiB` and `1g` 2^30. */
export function parseSize(value: string | number): number {
  const text = typeof value === 'number' ? numberText(value, 'size') : value.trim();
  const m = SIZE_RE.exec(text);
  if (!m) throw new UsageError(`bad size ${JSON.stringify(text)}: ${SIZE_HELP}`);
  const unit = m[3] ?? '';
  const { whole, exact } = scaled(m[1]! + (m[2] ?? ''), BYTE_UNITS[unit.length === 1 && unit !== 'B' ? unit.toLowerCase() : unit]!);
  if (!exact) throw new UsageError(`bad size ${JSON.stringify(text)}: not a whole number of bytes`);
  return safeNumber(whole, text, 'size');
}

/** Events per second: `50/s` or a bare number; more than 0. */
export function parsePerSecond(value: string | number): number {
  const text = typeof value === 'number' ? numberText(value, 'rate') : value.trim();
  const bare = /^[0-9]+(\.[0-9]+)?$/.test(text);
  if (!bare && !PER_SECOND_RE.test(text)) {
    throw new UsageError(`bad rate ${JSON.stringify(text)}: expected a number per second such as 50/s, or a number`);
  }
  const n = Number(bare ? text : text.slice(0, -2));
  if (!(n > 0)) throw new UsageError(`bad rate ${JSON.stringify(text)}: must be more than 0`);
  return n;
}

/** YAML gives `5` and `1.5` as numbers: read them as their decimal text, refusing the rest. */
function numberText(n: number, what: string): string {
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`bad ${what} ${n}: must be a number of 0 or more`);
  const text = String(n);
  if (/e/i.test(text)) throw new UsageError(`bad ${what} ${text}: write it without an exponent`);
  return text;
}

/** The shortest text parseDuration reads back as `ms` (a whole number of milliseconds). */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`not a duration in whole milliseconds: ${ms}`);
  if (ms === 0) return '0s';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Whole bytes as the unit with the smallest whole mantissa: 200000000 → `200MB`, 1048576 → `1MiB`. */
function formatBytes(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`not a whole number of bytes: ${bytes}`);
  const b = BigInt(bytes);
  let best = `${bytes}B`;
  let bestMantissa = b;
  for (const unit of FORMAT_BYTE_UNITS) {
    const size = BYTE_UNITS[unit]!;
    if (b !== 0n && b % size === 0n && b / size < bestMantissa) {
      best = `${b / size}${unit}`;
      bestMantissa = b / size;
    }
  }
  return best;
}

/** Text parseRate reads back as `bytesPerSecond` (a whole number more than 0). */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** Text parseSize reads back as `bytes`. */
export function formatSize(bytes: number): string {
  return formatBytes(bytes);
}

/** Text parsePerSecond reads back as `n`. */
export function formatPerSecond(n: number): string {
  return `${String(n)}/s`;
}
