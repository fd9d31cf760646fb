import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isAnonVma, isFileVma, vmaMatcher, type VmaFilter } from '../../src/ops/vma-filter.js';
import type { VmaKind } from '../../src/procfs/maps.js';
import type { Vma } from '../../src/procfs/vmas.js';

function vma(kind: VmaKind, path: string, perms = 'rw-p', pages = 0): Vma {
  return {
    start: 0x1000n,
    end: 0x2000n,
    perms,
    offset: 0n,
    dev: '00:00',
    inode: 0,
    path,
    kind,
    deleted: false,
    hugetlb: kind === 'huge',
    pagesPerNode: pages ? { 0: pages } : {},
    pages,
    anon: 0,
    dirty: 0,
    mapped: 0,
    mapmax: 0,
    swapcache: 0,
    active: 0,
    writeback: 0,
  };
}

const SAMPLES: Vma[] = [
  vma('file', '/usr/lib/x86_64-linux-gnu/libc.so.6', 'r-xp', 300),
  vma('file', '/usr/lib/x86_64-linux-gnu/libc.so.6', 'rw-p', 2),
  vma('file', '/usr/lib/libcrypto.so.3', 'r--p', 10),
  vma('anon', '', 'rw-p', 50),
  vma('heap', '[heap]', 'rw-p', 120),
  vma('stack', '[stack]', 'rw-p', 9),
  vma('shm', '', 'rw-s', 4),
  vma('huge', '/anon_hugepage', 'rw-p', 1),
  vma('memfd', '/memfd:buf', 'rw-s', 3),
  vma('vdso', '[vdso]', 'r-xp', 1),
  vma('vvar', '[vvar]', 'r--p', 0),
];

test('isAnonVma / isFileVma: the kinds each covers, never both', () => {
  assert.deepEqual(
    SAMPLES.filter(isAnonVma).map((v) => v.kind),
    ['anon', 'heap', 'stack', 'shm', 'huge'],
  );
  assert.deepEqual(
    SAMPLES.filter(isFileVma).map((v) => v.kind),
    ['file', 'file', 'file', 'memfd'],
  );
  for (const v of SAMPLES) assert.ok(!(isAnonVma(v) && isFileVma(v)));
});

test('vmaMatcher by name: exact, basename, glob; no substring match without a glob', () => {
  const names = (f: VmaFilter): string[] => SAMPLES.filter(vmaMatcher(f)).map((v) => v.path);
  assert.deepEqual(names({ name: '[heap]' }), ['[heap]']);
  assert.deepEqual(names({ name: 'libc.so.6' }), ['/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libc.so.6']);
  assert.deepEqual(names({ name: '*libc*' }), [
    '/usr/lib/x86_64-linux-gnu/libc.so.6',
    '/usr/lib/x86_64-linux-gnu/libc.so.6',
    '/usr/lib/libcrypto.so.3',
  ]);
  assert.deepEqual(names({ name: '*/libc.so.?' }), ['/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libc.so.6']);
  assert.deepEqual(names({ name: 'libc' }), []);
  assert.deepEqual(names({ name: 'x86_64-linux-gnu/libc.so.6' }), [], 'a partial path is not a basename');
  // Regex metacharacters in a name are literal.
  assert.deepEqual(names({ name: '[vdso]' }), ['[vdso]']);
  assert.deepEqual(names({ name: 'libc.so.?' }), [], 'a glob matches the whole path, not a basename');
});

test('vmaMatcher: text = executable, data = writable and not executable, minPages', () => {
  assert.deepEqual(
    SAMPLES.filter(vmaMatcher({ text: true })).map((v) => v.kind),
    ['file', 'vdso'],
  );
  assert.ok(SAMPLES.filter(vmaMatcher({ data: true })).every((v) => v.perms[1] === 'w' && v.perms[2] !== 'x'));
  assert.deepEqual(
    SAMPLES.filter(vmaMatcher({ minPages: 50 })).map((v) => v.pages),
    [300, 50, 120],
  );
});

test('vmaMatcher: an empty filter keeps everything; each field only narrows (property)', () => {
  assert.equal(SAMPLES.filter(vmaMatcher({})).length, SAMPLES.length);
  const filterArb = fc.record(
    {
      anon: fc.boolean(),
      file: fc.boolean(),
      text: fc.boolean(),
      data: fc.boolean(),
      minPages: fc.integer({ min: 0, max: 400 }),
      name: fc.constantFrom('[heap]', 'libc.so.6', '*lib*', '/memfd:buf', '*'),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(filterArb, (f) => {
      const keep = vmaMatcher(f);
      for (const v of SAMPLES) {
        // A VMA kept by f is kept by every single-field filter that f contains.
        if (!keep(v)) continue;
        for (const [k, val] of Object.entries(f)) assert.ok(vmaMatcher({ [k]: val } as VmaFilter)(v), `${k} on ${v.path}`);
      }
    }),
  );
});
