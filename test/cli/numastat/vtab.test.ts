import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Vtab } from '../../../src/cli/numastat/vtab.js';

/** numastat's MB table: a label column of 16, node columns of 16 with a Total, two header rows. */
function table(values: number[][], decimals = 2): Vtab {
  const t = new Vtab(2, 1, values.length, values[0]!.length);
  t.width[0] = 16;
  for (let c = 1; c <= values[0]!.length; c++) {
    t.set(0, c, { kind: 'text', text: c === values[0]!.length ? 'Total' : `Node ${c - 1}` });
    t.set(1, c, { kind: 'rule', char: '-' });
    t.width[c] = 16;
    t.decimals[c] = decimals;
    t.rightAligned[c] = true;
  }
  values.forEach((row, r) => {
    t.set(2 + r, 0, { kind: 'text', text: `Row${r}` });
    row.forEach((v, c) => t.set(2 + r, 1 + c, { kind: 'number', value: v }));
  });
  return t;
}

test('fixed columns: every line as wide as the header, right edges every 16 characters, rules one shorter', () => {
  const out = table([[1.5, 2, 3.5], [0, 0, 0]]).display(10_000_000, true);
  const lines = out.trimEnd().split('\n');
  assert.deepEqual(lines, [
    `${' '.repeat(16)}${'Node 0'.padStart(16)}${'Node 1'.padStart(16)}${'Total'.padStart(16)}`,
    `${' '.repeat(16)}${' ---------------'.repeat(3)}`,
    `Row0${' '.repeat(12)}${'1.50'.padStart(16)}${'2.00'.padStart(16)}${'3.50'.padStart(16)}`,
    `Row1${' '.repeat(12)}${'0.00'.padStart(16)}${'0.00'.padStart(16)}${'0.00'.padStart(16)}`,
  ]);
});

test('-z: rows and columns of zeros go; a table of zeros says so', () => {
  const lines = table([[1, 0, 1], [0, 0, 0]]).display(10_000_000, false).trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.ok(!lines[0]!.includes('Node 1'));
  assert.equal(table([[0, 0]]).display(80, false), 'Table has no non-zero data.\n');
  assert.equal(new Vtab(1, 1, 1, 1).display(80, true), 'Table has no data.\n');
});

test('fitted columns (-c): widest cell plus one, at least 4 with the gutter... within the maximum', () => {
  const t = table([[12345, 7, 12352]], 0);
  for (let c = 0; c < 4; c++) t.fitColumn(c, 4, 16);
  assert.deepEqual(t.width, [5, 7, 7, 6]);
});

test('folding: sections of whole columns that fit the width, each with the label column, a blank line between', () => {
  fc.assert(
    fc.property(fc.integer({ min: 32, max: 120 }), fc.integer({ min: 1, max: 6 }), (width, nodes) => {
      const t = table([Array.from({ length: nodes + 1 }, (_, i) => i + 1)]);
      const sections = t.display(width, true).trimEnd().split('\n\n');
      const perSection = Math.max(1, Math.floor((width - 16) / 16));
      assert.equal(sections.length, Math.ceil((nodes + 1) / perSection));
      for (const s of sections) for (const l of s.split('\n')) assert.ok(l.length <= Math.max(width, 32), l);
    }),
  );
});

test('sorting: largest first by a column, the order kept for equal values', () => {
  const t = table([[1, 9], [5, 3], [5, 1], [0, 2]]);
  t.sortDescending(2, 5, 1);
  assert.deepEqual(t.order.slice(2), [3, 4, 2, 5]);
});
