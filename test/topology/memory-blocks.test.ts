import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockNodeTable, nodeOfPfn, pfnToNode, readMemoryBlocks } from '../../src/topology/memory-blocks.js';
import { fixture } from '../fixtures/fixture-path.js';

const root = fixture('placement-4node');

test('memory blocks: size from hex, each block its node, a block two nodes link is ambiguous', () => {
  const mb = readMemoryBlocks({ root })!;
  assert.equal(mb.blockBytes, 0x200000);
  assert.deepEqual([...mb.nodeOfBlock].sort((a, b) => a[0] - b[0]), [[1, 0], [2, 1], [4, 2]]);
  assert.deepEqual([...mb.ambiguous], [3]);
});

test('frame → node: by block; unknown for ambiguous blocks and memory no node holds', () => {
  const mb = readMemoryBlocks({ root })!;
  const f = pfnToNode(mb, 4096);
  // 512 frames of 4 KiB per 2 MiB block.
  for (const [pfn, node] of [[512, 0], [1023, 0], [1024, 1], [1535, 1], [1536, undefined], [2048, 2], [2559, 2], [2560, undefined], [0, undefined]] as const) {
    assert.equal(f(pfn), node, `frame ${pfn}`);
    assert.equal(nodeOfPfn(mb, pfn, 4096), node, `frame ${pfn} (plain)`);
  }
  // The cached lookup gives the same answers in any order.
  assert.equal(f(2048), 2);
  assert.equal(f(600), 0);
});

test('the frame → node table answers as the block map does (-1 where it does not tell)', () => {
  const mb = readMemoryBlocks({ root })!;
  const t = blockNodeTable(mb, 4096)!;
  assert.equal(t.shift, 9, '512 frames per 2 MiB block');
  for (let pfn = 0; pfn < 3000; pfn += 7) {
    const b: number = pfn >>> t.shift;
    assert.equal(b < t.node.length ? t.node[b] : -1, nodeOfPfn(mb, pfn, 4096) ?? -1, `frame ${pfn}`);
  }
  assert.equal(blockNodeTable({ ...mb, blockBytes: 3 * 4096 }, 4096), undefined, 'frames per block not a power of two');
  assert.equal(blockNodeTable({ ...mb, nodeOfBlock: new Map([[2 ** 23, 0]]) }, 4096), undefined, 'too many blocks to table');
});

test('no memory block devices: undefined (callers ask the kernel instead)', () => {
  assert.equal(readMemoryBlocks({ root: fixture('sys-guest-4node') }), undefined);
});

test('the live machine, when it has memory blocks: every online node with memory holds some', () => {
  const mb = readMemoryBlocks();
  if (mb === undefined) return;
  assert.ok(mb.blockBytes >= 1 << 20 && (mb.blockBytes & (mb.blockBytes - 1)) === 0, `power of two: ${mb.blockBytes}`);
  assert.ok(mb.nodeOfBlock.size > 0);
});
