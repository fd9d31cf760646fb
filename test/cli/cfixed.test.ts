import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { cFixed } from '../../src/cli/cfixed.js';

test('cFixed rounds exact binary values with ties to even, as glibc printf: against printf(1)', () => {
  // Multiples of 1/256 (numastat's MB of 4 KiB pages) are exact in decimal too, so printf(1)
  // reads the very value cFixed formats; many of them are ties at 0-2 decimals.
  const values = fc.sample(fc.nat({ max: 1 << 24 }), 300).map((k) => k / 256);
  for (const d of [0, 1, 2]) {
    const r = spawnSync('printf', [`%.${d}f\\n`, ...values.map(String)], { encoding: 'utf8', env: { LC_ALL: 'C' } });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(values.map((v) => cFixed(v, d)), r.stdout.trim().split('\n'));
  }
});

test('cFixed: ties and signs', () => {
  assert.deepEqual([0.125, 0.375, 2.5, 3.5].map((v) => cFixed(v, v < 1 ? 2 : 0)), ['0.12', '0.38', '2', '4']);
  assert.equal(cFixed(-1.5, 0), '-2');
  assert.equal(cFixed(-0, 2), '-0.00');
  assert.equal(cFixed(26606.13, 2), '26606.13');
});
