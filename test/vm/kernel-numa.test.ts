/**
 * The kernel wrappers across several NUMA nodes (run in the 4-node guest). Skips on machines
 * with fewer than two nodes with memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  MPOL_BIND,
  MPOL_DEFAULT,
  MPOL_INTERLEAVE,
  MPOL_MF_MOVE,
  fillMemory,
  getMempolicy,
  getMempolicyNode,
  mbind,
  migratePages,
  mmapAnonymous,
  movePagesCounted,
  munmap,
  pageSize,
  parseRangeList,
  queryPageNodes,
  setMempolicy,
} from '../../src/kernel/index.js';

const nodes = parseRangeList(readFileSync('/sys/devices/system/node/has_memory', 'utf8')) ?? [];
const enough = nodes.length >= 2;
const first = nodes[0] ?? 0;
const last = nodes[nodes.length - 1] ?? 0;
const ps = BigInt(pageSize());
const kernelIndex = fileURLToPath(new URL('../../src/kernel/index.js', import.meta.url));

function pagesOf(addr: bigint, count: number): BigUint64Array {
  return BigUint64Array.from({ length: count }, (_, i) => addr + BigInt(i) * ps);
}

function withRegion(pages: number, body: (addr: bigint, len: bigint) => void): void {
  const len = BigInt(pages) * ps;
  const addr = mmapAnonymous(len);
  try {
    body(addr, len);
  } finally {
    munmap(addr, len);
  }
}

test('set_mempolicy bind to the last node puts new pages there', { skip: !enough && 'fewer than 2 nodes' }, () => {
  setMempolicy(MPOL_BIND, [last]);
  try {
    withRegion(8, (addr, len) => {
      fillMemory(addr, len, 1);
      assert.deepEqual([...queryPageNodes(0, pagesOf(addr, 8))], Array(8).fill(last));
    });
  } finally {
    setMempolicy(MPOL_DEFAULT, []);
  }
});

test('mbind interleave spreads a range over its nodes', { skip: !enough && 'fewer than 2 nodes' }, () => {
  withRegion(16, (addr, len) => {
    mbind(addr, len, MPOL_INTERLEAVE, nodes);
    assert.deepEqual(getMempolicy({ addr }), { mode: MPOL_INTERLEAVE, nodes });
    fillMemory(addr, len, 1);
    const placed = new Set(queryPageNodes(0, pagesOf(addr, 16)));
    assert.deepEqual([...placed].sort((a, b) => a - b), nodes);
  });
});

test('move_pages moves own pages between nodes', { skip: !enough && 'fewer than 2 nodes' }, () => {
  withRegion(8, (addr, len) => {
    mbind(addr, len, MPOL_BIND, [first]);
    fillMemory(addr, len, 1);
    assert.equal(getMempolicyNode(addr), first);
    const r = movePagesCounted(0, pagesOf(addr, 8), new Int32Array(8).fill(last), MPOL_MF_MOVE);
    assert.equal(r.notMoved, 0);
    assert.deepEqual([...queryPageNodes(0, pagesOf(addr, 8))], Array(8).fill(last));
  });
});

test('migrate_pages and move_pages reach another process', { skip: !enough && 'fewer than 2 nodes' }, async () => {
  // The child binds itself to the first node, fills 32 pages and prints their address.
  const script = `
    import * as k from '${kernelIndex}';
    k.setMempolicy(k.MPOL_BIND, [${first}]);
    const len = 32n * BigInt(k.pageSize());
    const addr = k.mmapAnonymous(len);
    k.fillMemory(addr, len, 1);
    console.log(addr.toString());
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const pid = child.pid ?? 0;
    const pages = pagesOf(BigInt(line), 32);
    assert.deepEqual([...queryPageNodes(pid, pages)], Array(32).fill(first));

    const left = migratePages(pid, [first], [last]);
    // Other pages of the child (shared, pinned) may stay; the 32 we watch must move.
    assert.ok(Number.isSafeInteger(left) && left >= 0);
    assert.deepEqual([...queryPageNodes(pid, pages)], Array(32).fill(last));

    const r = movePagesCounted(pid, pages, new Int32Array(32).fill(first), MPOL_MF_MOVE);
    assert.equal(r.notMoved, 0);
    assert.deepEqual([...queryPageNodes(pid, pages)], Array(32).fill(first));
  } finally {
    child.kill();
  }
});
