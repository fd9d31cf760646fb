import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categoryOf, processNodeUsage, readProcessNodeUsage, usageItemOfNumaMaps } from '../../src/procfs/process-nodes.js';
import { parseNumaMaps, readNumaMaps } from '../../src/procfs/numa-maps.js';
import { fixture } from '../fixtures/fixture-path.js';

test('numastat -p split on the guest capture', () => {
  const root = fixture('proc-guest-policies');
  const u = readProcessNodeUsage(244, { root });
  const entries = readNumaMaps(244, { root });
  const heap = entries.find((e) => e.heap)!;
  const stack = entries.find((e) => e.stack)!;
  const huge = entries.find((e) => e.huge)!;
  assert.deepEqual(u.byCategory.heap, { 1: heap.pages * 4 });
  assert.deepEqual(u.byCategory.stack, { 1: stack.pages * 4 });
  assert.deepEqual(u.byCategory.huge, { 1: 2048 });
  assert.equal(huge.kernelPageSizeKiB, 2048);
  const sumKiB = entries.reduce((a, e) => a + e.pages * (e.kernelPageSizeKiB ?? 0), 0);
  assert.equal(u.totalKiB, sumKiB);
  // numa_maps alone gives the same split on a current kernel.
  assert.deepEqual(processNodeUsage(entries.map(usageItemOfNumaMaps)), u);
  for (const n of u.nodes) {
    const cats = ['huge', 'heap', 'stack', 'private'] as const;
    const byCat = cats.reduce((a, c) => a + (u.byCategory[c][n] ?? 0), 0);
    assert.equal(byCat, u.total[n]);
    assert.equal((u.byBacking.anon[n] ?? 0) + (u.byBacking.file[n] ?? 0), u.total[n]);
  }
  assert.deepEqual(u.nodes, [0, 1, 2, 3]);
});

test('huge pages count in their own size and category', () => {
  const u = processNodeUsage(
    parseNumaMaps(
      '2aaaaaaab000 bind:0 file=/mnt/huge/x huge dirty=2 N0=2 kernelpagesize_kB=2048\n7f00 default heap anon=3 dirty=3 N1=3 kernelpagesize_kB=4\n',
    ).map(usageItemOfNumaMaps),
  );
  assert.deepEqual(u.byCategory.huge, { 0: 4096 });
  assert.deepEqual(u.byCategory.heap, { 1: 12 });
  assert.deepEqual(u.byBacking.file, { 0: 4096 });
  assert.equal(u.totalKiB, 4108);
  assert.equal(categoryOf({ huge: true, heap: true, stack: false }), 'huge');
});

test('2005 format: page size from the option', () => {
  const u = readProcessNodeUsage(12024, { root: fixture('proc-ia64-2005'), fallbackPageSizeKiB: 16 });
  assert.deepEqual(u.byCategory.heap, { 1: 16 });
  assert.equal(u.totalKiB, (11 + 2 + 1 + 59 + 2 + 3 + 3 + 2 + 1 + 2 + 1 + 1 + 1 + 1) * 16);
});
