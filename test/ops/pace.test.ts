import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BATCH_PAGES, Pacer, batchPagesFor, checkPaceOptions } from '../../src/ops/pace.js';

test('batch size: explicit, from the rate (10 ms steps), or the default', () => {
  assert.equal(batchPagesFor({ batchPages: 77 }, 4096), 77);
  assert.equal(batchPagesFor({}, 4096), DEFAULT_BATCH_PAGES);
  // 100 MB/s for 10 ms is 1 MB: 244 pages of 4 KiB.
  assert.equal(batchPagesFor({ rateBytesPerSecond: 100e6 }, 4096), 244);
  assert.equal(batchPagesFor({ rateBytesPerSecond: 1 }, 4096), 1);
  assert.equal(batchPagesFor({ rateBytesPerSecond: 1e12 }, 4096), DEFAULT_BATCH_PAGES);
});

test('bad pace options are usage errors', () => {
  assert.throws(() => checkPaceOptions({ rateBytesPerSecond: 0 }), /--rate/);
  assert.throws(() => checkPaceOptions({ batchPages: 0 }), /--batch/);
});

test('the pacer keeps the cumulative rate and records the longest step', async () => {
  const p = new Pacer({ rateBytesPerSecond: 1e6 });
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) await p.step(10_000, () => i);
  const elapsed = performance.now() - t0;
  const s = p.stats();
  assert.equal(s.steps, 5);
  // 50 kB at 1 MB/s is 50 ms of budget: the pacer must have slept most of it.
  assert.ok(elapsed >= 45, `paced run took ${elapsed} ms`);
  assert.ok(s.sleptMs > 0 && s.longestStepMs >= 0);
  await p.step(25_000, () => 0);
  await p.step(3_000, () => 0);
  assert.equal(p.stats().largestStepBytes, 25_000, 'the largest step in bytes: the bound a paced move keeps');
});
