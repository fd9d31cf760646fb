import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAddressRange, parseSize, resolveSelection, segmentsOfRange, segmentPages } from '../../src/ops/address-range.js';
import { parseVmas } from '../../src/procfs/vmas.js';
import { NumapolError } from '../../src/errors.js';

const MAPS = [
  '00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/prog',
  '00651000-00652000 rw-p 00051000 08:02 173521      /usr/bin/prog',
  '00652000-00675000 rw-p 00000000 00:00 0           [heap]',
  '7f0000000000-7f0000100000 rw-p 00000000 00:00 0 ',
  '7f0000100000-7f0000200000 rw-p 00000000 00:00 0 ',
  '7f0000300000-7f0000301000 rw-p 00000000 00:00 0 ',
  '7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0           [stack]',
  '7ffd000fe000-7ffd00100000 r-xp 00000000 00:00 0           [vdso]',
].join('\n');
const NUMA = [
  '00400000 default file=/usr/bin/prog mapped=20 N0=20 kernelpagesize_kB=4',
  '00651000 default file=/usr/bin/prog anon=1 dirty=1 N0=1 kernelpagesize_kB=4',
  '00652000 default heap anon=30 dirty=30 N0=30 kernelpagesize_kB=4',
  '7f0000000000 default anon=256 dirty=256 N0=256 kernelpagesize_kB=4',
  '7f0000100000 bind:0 anon=10 dirty=10 N0=10 kernelpagesize_kB=4',
  '7f0000300000 default',
  '7ffd00000000 default stack anon=3 dirty=3 N0=3 kernelpagesize_kB=4',
  '7ffd000fe000 default',
].join('\n');
const vmas = parseVmas(MAPS, NUMA);

test('parseAddressRange reads START, START-END and START+LEN as maps prints addresses', () => {
  assert.deepEqual(parseAddressRange('7f0000000000'), { start: 0x7f0000000000n });
  assert.deepEqual(parseAddressRange('0x7f0000000000-7f0000001000'), { start: 0x7f0000000000n, end: 0x7f0000001000n });
  assert.deepEqual(parseAddressRange('7f0000000000+64k'), { start: 0x7f0000000000n, end: 0x7f0000010000n });
  assert.deepEqual(parseAddressRange('1000+0x2000'), { start: 0x1000n, end: 0x3000n });
  assert.throws(() => parseAddressRange('2000-1000'), /ends before it starts/);
  assert.throws(() => parseAddressRange('xyz'), /bad address/);
  assert.throws(() => parseAddressRange('1000+0'), /empty/);
  assert.throws(() => parseAddressRange('1000+12q'), /bad length/);
});

test('parseSize: binary suffixes and hex', () => {
  assert.equal(parseSize('1m'), 1n << 20n);
  assert.equal(parseSize('2G'), 2n << 30n);
  assert.equal(parseSize('0x10'), 16n);
  assert.equal(parseSize('4096'), 4096n);
});

test('START+LEN round-trips for any start and length', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 47n) - 1n }), fc.bigInt({ min: 1n, max: 1n << 30n }), (start, len) => {
      const r = parseAddressRange(`${start.toString(16)}+${len}`);
      assert.equal(r.start, start);
      assert.equal(r.end, start + len);
    }),
  );
});

test('a range spanning adjacent VMAs is split at VMA borders and page-aligned outward', () => {
  const segs = segmentsOfRange(vmas, { start: 0x7f00000ff123n, end: 0x7f0000100001n }, 1, 4096);
  assert.deepEqual(
    segs.map((s) => [s.start, s.end]),
    [
      [0x7f00000ff000n, 0x7f0000100000n],
      [0x7f0000100000n, 0x7f0000101000n],
    ],
  );
  assert.equal(segmentPages(segs, 4096), 2);
});

test('a bare START means its whole VMA from START on', () => {
  const segs = segmentsOfRange(vmas, { start: 0x7f0000180000n }, 1, 4096);
  assert.deepEqual(segs.map((s) => [s.start, s.end]), [[0x7f0000180000n, 0x7f0000200000n]]);
});

test('a range running into a hole is refused, naming the hole', () => {
  assert.throws(
    () => segmentsOfRange(vmas, { start: 0x7f0000100000n, end: 0x7f0000301000n }, 42, 4096),
    (e: unknown) => e instanceof NumapolError && e.code === 'ENOMAPPING' && /0x7f0000200000/.test(e.message) && /nothing was moved/.test(e.message),
  );
  assert.throws(() => segmentsOfRange(vmas, { start: 0x1000n }, 42, 4096), /not mapped in pid 42/);
});

test('selectors: --vma [heap], --data keeps writable non-exec, --text keeps text, vdso never', () => {
  const heap = resolveSelection(vmas, { name: '[heap]' }, 1, 4096);
  assert.deepEqual(heap.map((s) => s.vma.path), ['[heap]']);
  const data = resolveSelection(vmas, { data: true }, 1, 4096);
  assert.ok(data.every((s) => s.vma.perms[1] === 'w' && s.vma.perms[2] !== 'x'));
  assert.equal(data.length, 6);
  const text = resolveSelection(vmas, { text: true }, 1, 4096);
  assert.deepEqual(text.map((s) => s.vma.path), ['/usr/bin/prog'], 'vdso is not movable');
  const file = resolveSelection(vmas, { file: true }, 1, 4096);
  assert.equal(file.length, 2);
  assert.throws(() => resolveSelection(vmas, { name: 'libnothing.so' }, 1, 4096), /no movable mapping matching --vma libnothing.so/);
  assert.throws(() => resolveSelection(vmas, {}, 1, 4096), /say which memory/);
});

test('a range combined with a filter keeps only the matching parts', () => {
  const segs = resolveSelection(vmas, { range: { start: 0x00651000n, end: 0x00675000n }, data: true }, 1, 4096);
  assert.deepEqual(segs.map((s) => s.vma.path), ['/usr/bin/prog', '[heap]']);
});
