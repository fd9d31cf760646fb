// selectionSegments: maps alone for plain anonymous memory, numa_maps when a VMA may be hugetlb
// or the selection filters on resident pages. Fixture /proc trees: the absence of numa_maps is
// what shows it was not read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectionSegments } from '../../src/ops/move-pages.js';

const PID = 4242;
const ANON = '7f0000000000-7f0000400000 rw-p 00000000 00:00 0 \n';
const HEAP = '55d000000000-55d000100000 rw-p 00000000 00:00 0                          [heap]\n';
const HUGE = '7f1000000000-7f1000400000 rw-p 00000000 00:0f 1234                       /anon_hugepage (deleted)\n';
const NUMA_ANON = '7f0000000000 default anon=1024 dirty=1024 N0=1024 kernelpagesize_kB=4\n';
const NUMA_HEAP = '55d000000000 default heap anon=256 dirty=256 N0=256 kernelpagesize_kB=4\n';
const NUMA_HUGE = '7f1000000000 default file=/anon_hugepage\\040(deleted) huge anon=2 dirty=2 N1=2 kernelpagesize_kB=2048\n';

function procTree(maps: string, numaMaps?: string): string {
  const root = mkdtempSync(join(tmpdir(), 'numapol-selection-'));
  mkdirSync(join(root, 'proc', String(PID)), { recursive: true });
  writeFileSync(join(root, 'proc', String(PID), 'maps'), maps);
  if (numaMaps !== undefined) writeFileSync(join(root, 'proc', String(PID), 'numa_maps'), numaMaps);
  return root;
}

test('plain anonymous memory and the heap: resolved from maps alone, base pages', () => {
  const root = procTree(HEAP + ANON);
  try {
    const segs = selectionSegments(PID, root, { range: { start: 0x7f0000001000n, end: 0x7f0000003000n } }, 4096);
    assert.deepEqual(
      segs.map((s) => [s.start, s.end, s.vma.kind, s.vma.hugetlb]),
      [[0x7f0000001000n, 0x7f0000003000n, 'anon', false]],
    );
    const heap = selectionSegments(PID, root, { name: '[heap]' }, 4096);
    assert.deepEqual(
      heap.map((s) => [s.start, s.end, s.vma.kind]),
      [[0x55d000000000n, 0x55d000100000n, 'heap']],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a VMA that may be hugetlb: numa_maps is read and gives its page size', () => {
  const root = procTree(ANON + HUGE, NUMA_ANON + NUMA_HUGE);
  try {
    const segs = selectionSegments(PID, root, { anon: true }, 4096);
    assert.deepEqual(
      segs.map((s) => [s.vma.path, s.vma.hugetlb, s.vma.pageSizeKiB]),
      [
        ['', false, 4],
        ['/anon_hugepage', true, 2048],
      ],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  // Without numa_maps the same selection cannot be resolved: the hugetlb VMA needs it.
  const bare = procTree(ANON + HUGE);
  try {
    assert.throws(() => selectionSegments(PID, bare, { anon: true }, 4096), /numa_maps/);
  } finally {
    rmSync(bare, { recursive: true, force: true });
  }
});

test('--min-pages needs resident counts: numa_maps is read even for anonymous memory', () => {
  const root = procTree(HEAP + ANON, NUMA_HEAP + NUMA_ANON);
  try {
    const segs = selectionSegments(PID, root, { anon: true, minPages: 300 }, 4096);
    assert.deepEqual(
      segs.map((s) => [s.start, s.vma.pages]),
      [[0x7f0000000000n, 1024]],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
