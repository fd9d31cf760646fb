import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { collapse, keepWidths, maskUsage } from '../vm/golden/compare.js';

test('keepWidths: numbers of any size in a right-aligned column mask alike; lengths are kept', () => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 10 ** 9 }), { minLength: 1, maxLength: 6 }), fc.array(fc.nat({ max: 10 ** 9 }), { minLength: 1, maxLength: 6 }), (a, b) => {
      const row = (vs: number[]): string => `Numa_Hit${vs.slice(0, 3).map((v) => String(v).padStart(16)).join('')}`;
      const ma = keepWidths(row(a));
      assert.equal(ma.length, row(a).length);
      if (a.length >= 3 && b.length >= 3) assert.equal(ma, keepWidths(row(b)));
    }),
  );
});

test('keepWidths: a column that moves shows; text between numbers is kept', () => {
  assert.notEqual(keepWidths('node 0   12'), keepWidths('node 0  12 '));
  assert.equal(keepWidths('MemTotal 962.25 MB'), 'MemTotal      # MB');
  assert.equal(keepWidths('node distances:'), 'node distances:');
});

test('collapse and maskUsage', () => {
  assert.equal(collapse(/\d+(?= MB)/g)('node 0 size: 962 MB\nnode 0 free: 1003 MB'), 'node 0 size: # MB\nnode 0 free: # MB');
  assert.equal(maskUsage('numactl', 'numactl: Conflicting policiesusage: numactl [x]\n more\n'), 'numactl: Conflicting policies<usage>');
  assert.equal(maskUsage('numastat', "numastat: invalid option -- 'x'\nUsage: numastat -c\n-c to\n"), "numastat: invalid option -- 'x'\n<usage>");
  assert.equal(maskUsage('migratepages', 'nothing'), 'nothing');
});
