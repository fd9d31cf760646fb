import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatBytes, formatMiB, formatTable, hex } from '../../src/cli/table.js';

test('formatTable: columns padded to the widest cell, right-aligned where asked, two blanks apart', () => {
  const t = formatTable(
    [{ header: 'node' }, { header: 'size', align: 'right' }, { header: 'name' }],
    [
      ['0', '1.0 GiB', 'a'],
      ['12', '5 B', 'longer name'],
    ],
  );
  assert.equal(t, ['node     size  name', '0     1.0 GiB  a', '12        5 B  longer name'].join('\n'));
});

test('formatTable: no trailing blanks when the last column is left-aligned; missing cells are empty', () => {
  const t = formatTable([{ header: 'a' }, { header: 'bbbbbb' }], [['x'], ['yy', 'z']]);
  for (const line of t.split('\n')) assert.equal(line, line.trimEnd());
  assert.equal(t, 'a   bbbbbb\nx\nyy  z');
});

test('formatTable: every line has the same width when the last column is right-aligned (property)', () => {
  const cell = fc.string({ maxLength: 12 }).filter((s) => !s.includes('\n'));
  fc.assert(
    fc.property(fc.array(fc.tuple(cell, cell, cell), { maxLength: 8 }), (rows) => {
      const t = formatTable([{ header: 'h1' }, { header: 'h2', align: 'right' }, { header: 'h3', align: 'right' }], rows);
      const widths = new Set(t.split('\n').map((l) => l.length));
      assert.equal(widths.size, 1);
      assert.equal(t.split('\n').length, rows.length + 1);
    }),
  );
});

test('formatBytes: binary units, one decimal below 100 of a unit', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1.0 KiB');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(456 * 1024), '456 KiB');
  assert.equal(formatBytes(6 * 1024 ** 3), '6.0 GiB');
  assert.equal(formatBytes(2 * 1024 ** 5), '2.0 PiB');
});

test('formatMiB and hex', () => {
  assert.equal(formatMiB(2 * 1048576), '2.00');
  assert.equal(formatMiB(1048576 / 4), '0.25');
  assert.equal(hex(0x400000n), '00400000');
  assert.equal(hex(0x7fdd93200000n), '7fdd93200000');
});
