import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyUnits, openPlacement, pmdPages, UNKNOWN_NODE } from '../../src/ops/page-units.js';
import { fixture } from '../fixtures/fixture-path.js';

const root = fixture('placement-4node');
const ENOENT = -2;

test('units: a THP is one unit of 512 pages by its head; base pages one each; nodes from frames', () => {
  const p = openPlacement(77, 4096, root)!;
  try {
    const u = emptyUnits();
    p.read(0n, 1029, u);
    assert.equal(u.addrs.length, 1 + 512 + 5);
    assert.deepEqual([u.addrs[0], u.pages[0], u.bytes[0], u.node[0]], [0n, 512, 2 << 20, 0]);
    assert.deepEqual([u.addrs[1], u.pages[1], u.node[1]], [512n * 4096n, 1, 1], 'contiguous base pages stay single');
    assert.ok(u.pages.slice(1).every((n) => n === 1));
    assert.deepEqual(u.node.slice(513), [ENOENT, ENOENT, UNKNOWN_NODE, 2, 2], 'absent, swapped, ambiguous block, node 2 twice');
    assert.equal(u.pages.reduce((a, b) => a + b, 0), 1029, 'every page is in exactly one unit');
    assert.ok(p.framesVisible);
  } finally {
    p.close();
  }
});

test('a range that starts inside the huge page sees base pages only (a THP is taken whole or not at all)', () => {
  const p = openPlacement(77, 4096, root)!;
  try {
    const u = emptyUnits();
    p.read(4096n, 511, u);
    assert.equal(u.addrs.length, 511);
    assert.ok(u.node.every((n) => n === 0));
    const v = emptyUnits();
    p.read(0n, 511, v);
    assert.equal(v.addrs.length, 511, 'nor one cut short at the end');
  } finally {
    p.close();
  }
});

test('hidden frames (not root): present pages are left for the kernel to place', () => {
  const p = openPlacement(78, 4096, root)!;
  try {
    const u = emptyUnits();
    p.read(0n, 4, u);
    assert.deepEqual(u.node, [UNKNOWN_NODE, UNKNOWN_NODE, UNKNOWN_NODE, UNKNOWN_NODE]);
    assert.equal(p.framesVisible, false);
  } finally {
    p.close();
  }
});

test('no memory blocks: no placement reader', () => {
  assert.equal(openPlacement(77, 4096, fixture('sys-guest-4node')), undefined);
});

test('pages per PMD follow the page size', () => {
  assert.equal(pmdPages(4096), 512);
  assert.equal(pmdPages(65536), 8192);
});
