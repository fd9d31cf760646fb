import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyUnits, openPlacement, pmdPages, UNKNOWN_NODE } from '../../src/ops/page-units.js';
import { fixture } from '../fixtures/fixture-path.js';

const root = fixture('placement-4node');
const ENOENT = -2;

test('units: a THP is one unit of 512 pages by its head; base pages one each; nodes from frames', () => {
  const p = openPlacement(77, 4096, root)!;
  try {
    const u = emptyUnits(4096);
    p.read(0, 1029, u);
    assert.equal(u.length, 1 + 512 + 5);
    assert.deepEqual([u.addr.view(0, 1)[0], u.pages[0], u.size[0], u.node[0]], [0n, 512, 512, 0]);
    assert.deepEqual([u.addr.view(1, 2)[0], u.pages[1], u.size[1], u.node[1]], [512n * 4096n, 1, 1, 1], 'contiguous base pages stay single');
    assert.deepEqual([...u.addr.view(0, u.length)], [0n, ...Array.from({ length: 517 }, (_, k) => BigInt((512 + k) * 4096))], 'each unit at its first page');
    assert.ok(u.pages.slice(1, u.length).every((n) => n === 1));
    assert.deepEqual([...u.node.slice(513, u.length)], [ENOENT, ENOENT, UNKNOWN_NODE, 2, 2], 'absent, swapped, ambiguous block, node 2 twice');
    assert.equal(u.pages.slice(0, u.length).reduce((a, b) => a + b, 0), 1029, 'every page is in exactly one unit');
    assert.ok(p.framesVisible);
  } finally {
    p.close();
  }
});

test('a range that starts inside the huge page sees base pages only (a THP is taken whole or not at all)', () => {
  const p = openPlacement(77, 4096, root)!;
  try {
    const u = emptyUnits(4096);
    p.read(1, 511, u);
    assert.equal(u.length, 511);
    assert.ok(u.node.slice(0, u.length).every((n) => n === 0));
    const v = emptyUnits(4096);
    p.read(0, 511, v);
    assert.equal(v.length, 511, 'nor one cut short at the end');
  } finally {
    p.close();
  }
});

test('hidden frames (not root): present pages are left for the kernel to place', () => {
  const p = openPlacement(78, 4096, root)!;
  try {
    const u = emptyUnits(4096);
    p.read(0, 4, u);
    assert.deepEqual([...u.node.slice(0, u.length)], [UNKNOWN_NODE, UNKNOWN_NODE, UNKNOWN_NODE, UNKNOWN_NODE]);
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

test('unit columns grow and keep what they hold', () => {
  const u = emptyUnits(4096, 1);
  for (let i = 0; i < 1000; i++) u.pushRun(i * 3, 1, i % 2 === 0 ? 1 : 512, i + 1, i % 5);
  assert.equal(u.length, 1000);
  for (let i = 0; i < 1000; i++) {
    assert.deepEqual([u.vpnAt(i), u.pages[i], u.size[i], u.node[i]], [i * 3, i % 2 === 0 ? 1 : 512, i + 1, i % 5]);
  }
  u.reserve(5000);
  assert.ok(u.pages.length >= 6000 && u.addr.capacity >= 6000);
  assert.equal(u.vpnAt(999), 2997, 'reserving keeps the contents');
  u.pushRun(2 ** 40, 3, 1, 512, -2);
  assert.deepEqual([u.vpnAt(1000), u.vpnAt(1001), u.vpnAt(1002)], [2 ** 40, 2 ** 40 + 512, 2 ** 40 + 1024], 'a run strides by its size');
  assert.deepEqual([...u.node.slice(1000, 1003)], [-2, -2, -2]);
});
