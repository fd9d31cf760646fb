import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NumapolError } from '../../../src/errors.js';
import {
  formatDuration,
  formatPerSecond,
  formatRate,
  formatSize,
  parseDuration,
  parsePerSecond,
  parseRate,
  parseSize,
} from '../../../src/daemon/config/units.js';

/** Unit sizes as the reference says (docs/config.md), written out here rather than taken from src/. */
const BYTES: Record<string, bigint> = {
  B: 1n,
  kB: 1000n,
  MB: 1000n ** 2n,
  GB: 1000n ** 3n,
  TB: 1000n ** 4n,
  KiB: 1024n,
  MiB: 1024n ** 2n,
  GiB: 1024n ** 3n,
  TiB: 1024n ** 4n,
};
const LETTERS: Record<string, bigint> = { k: 1024n, m: 1024n ** 2n, g: 1024n ** 3n, t: 1024n ** 4n };
const MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const isUsage = (e: unknown): boolean => e instanceof NumapolError && e.usage;

test('durations: ms, s, m, h, bare numbers as seconds', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration(5), 5000);
  assert.equal(parseDuration('5'), 5000);
  assert.equal(parseDuration(0.25), 250);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('0.1s'), 100);
});

test('durations: malformed text, negative numbers and fractions of a millisecond are refused', () => {
  for (const bad of ['5x', '', 's', '-5s', '1.5ms', '5 s', '1e3s', '0.0001']) assert.throws(() => parseDuration(bad), isUsage, bad);
  assert.throws(() => parseDuration(-1), isUsage);
  assert.throws(() => parseDuration(1e21), isUsage);
  assert.throws(() => parseDuration('5x'), /bad duration "5x": expected a number with ms, s, m or h/);
});

test('rates: SI and IEC units per second; 200MB/s is 2·10^8 bytes a second, as the CLI --rate', () => {
  assert.equal(parseRate('200MB/s'), 200_000_000);
  assert.equal(parseRate('50MB/s'), 50_000_000);
  assert.equal(parseRate('1kB/s'), 1000);
  assert.equal(parseRate('1KiB/s'), 1024);
  assert.equal(parseRate('3GiB/s'), 3 * 2 ** 30);
  assert.equal(parseRate('1.5MiB/s'), 1.5 * 2 ** 20);
  assert.equal(parseRate('7B/s'), 7);
  for (const bad of ['200', '200MB', '200mb/s', '200 MB/s', '0MB/s', '0.5B/s', 'fast', '1KB/s']) assert.throws(() => parseRate(bad), isUsage, bad);
  assert.throws(() => parseRate('0MB/s'), /more than 0/);
});

test('sizes: bare bytes, SI and IEC units, numactl letters as powers of 1024', () => {
  assert.equal(parseSize(4096), 4096);
  assert.equal(parseSize('300MB'), 300_000_000);
  assert.equal(parseSize('1GiB'), 2 ** 30);
  assert.equal(parseSize('512k'), 512 * 1024);
  assert.equal(parseSize('512K'), 512 * 1024);
  assert.equal(parseSize('2g'), 2 * 2 ** 30);
  assert.equal(parseSize('1.5k'), 1536);
  for (const bad of ['lots', '1.5', '0.5k1', '-1', '10 MB', '3mb', '1.0001k']) assert.throws(() => parseSize(bad), isUsage, bad);
  assert.throws(() => parseSize(2 ** 60), /too large/);
});

test('events per second: 50/s or a number, more than 0', () => {
  assert.equal(parsePerSecond('50/s'), 50);
  assert.equal(parsePerSecond(50), 50);
  assert.equal(parsePerSecond('0.5/s'), 0.5);
  for (const bad of ['0/s', 0, 'many', '50/m', '-1/s']) assert.throws(() => parsePerSecond(bad), isUsage, String(bad));
});

test('property: a duration written with any unit reads as the number of that unit in milliseconds', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.constantFrom(...Object.keys(MS)), (n, unit) => {
      assert.equal(parseDuration(`${n}${unit}`), n * MS[unit]!);
    }),
  );
});

test('property: formatDuration → parseDuration is the identity on whole milliseconds', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (ms) => {
      const text = formatDuration(ms);
      assert.equal(parseDuration(text), ms, text);
    }),
  );
});

test('property: a rate or size written with any unit reads as mantissa × unit, exactly', () => {
  const mantissa = fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.option(fc.stringMatching(/^[0-9]{1,3}$/), { nil: undefined }));
  fc.assert(
    fc.property(mantissa, fc.constantFrom(...Object.keys(BYTES), ...Object.keys(LETTERS)), ([int, frac], unit) => {
      const text = `${int}${frac === undefined ? '' : `.${frac}`}`;
      const scale = 10n ** BigInt(frac?.length ?? 0);
      const product = BigInt(`${int}${frac ?? ''}`) * (BYTES[unit] ?? LETTERS[unit]!);
      // Whole bytes that a number holds exactly are read; the rest is refused.
      const whole = product % scale === 0n && product / scale <= BigInt(Number.MAX_SAFE_INTEGER);
      if (whole) assert.equal(parseSize(`${text}${unit}`), Number(product / scale));
      else assert.throws(() => parseSize(`${text}${unit}`), isUsage);
      if (unit in BYTES) {
        if (whole && product > 0n) assert.equal(parseRate(`${text}${unit}/s`), Number(product / scale));
        else assert.throws(() => parseRate(`${text}${unit}/s`), isUsage);
      }
    }),
  );
});

test('property: formatRate → parseRate and formatSize → parseSize are the identity on whole bytes', () => {
  // Exact multiples of each unit, and arbitrary numbers.
  const bytes = fc.oneof(
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    fc.tuple(fc.integer({ min: 1, max: 8000 }), fc.constantFrom(...Object.values(BYTES))).map(([n, u]) => Number(BigInt(n) * u)),
  );
  fc.assert(
    fc.property(bytes, (b) => {
      assert.equal(parseRate(formatRate(b)), b, formatRate(b));
      assert.equal(parseSize(formatSize(b)), b, formatSize(b));
    }),
  );
  assert.equal(parseSize(formatSize(0)), 0);
  assert.equal(formatRate(200_000_000), '200MB/s');
  assert.equal(formatSize(2 ** 30), '1GiB');
});

test('property: formatPerSecond → parsePerSecond is the identity', () => {
  fc.assert(
    fc.property(fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0.001, max: 1e6, noNaN: true })), (n) => {
      assert.equal(parsePerSecond(formatPerSecond(n)), n);
    }),
  );
});
