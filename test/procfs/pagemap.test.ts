import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FRAME_ABSENT, FRAME_LARGE, KPF_COMPOUND_HEAD, KPF_COMPOUND_TAIL, KPF_THP, PagemapChunk, openKpageflags, openPagemap, pfnsVisible, readPagemap } from '../../src/procfs/pagemap.js';
import { ProcessGoneError } from '../../src/errors.js';
import { fixture } from '../fixtures/fixture-path.js';

const root = fixture('placement-4node');

test('pagemap words: present, swapped, file, exclusive, frame', () => {
  const c = readPagemap(77, 0n, 1029, 4096, { root });
  assert.equal(c.length, 1029);
  assert.ok(c.present(0) && c.exclusive(0) && !c.swapped(0) && !c.fileOrShared(0));
  assert.equal(c.pfn(0), 512);
  assert.equal(c.pfn(1023), 1535);
  assert.ok(!c.present(1024) && !c.swapped(1024));
  assert.ok(!c.present(1025) && c.swapped(1025));
  assert.equal(c.pfn(1027), 2048, 'soft-dirty (bit 55) is not part of the frame');
  assert.ok(c.present(1028) && c.fileOrShared(1028) && !c.exclusive(1028));
  assert.ok(pfnsVisible(c));
});

test('reads at an address: the word of virtual page addr/pagesize; past the end, nothing present', () => {
  const r = openPagemap(77, 4096, { root });
  try {
    const c = r.read(512n * 4096n, 3);
    assert.deepEqual([c.pfn(0), c.pfn(1), c.pfn(2)], [1024, 1025, 1026]);
    const tail = r.read(1027n * 4096n, 4);
    assert.deepEqual([tail.present(0), tail.present(1), tail.present(2), tail.present(3)], [true, true, false, false]);
  } finally {
    r.close();
  }
});

test('frames of a fixture range: absent pages marked, the rest their frames; a reused buffer reads the same', () => {
  const r = openPagemap(77, 4096, { root });
  try {
    const fresh = r.read(1020n * 4096n, 9);
    const out = new Int32Array(9);
    fresh.frames(out);
    assert.deepEqual([...out], [1532, 1533, 1534, 1535, FRAME_ABSENT, FRAME_ABSENT, 1536, 2048, 2049]);
    const a = r.read(0n, 1029, true);
    assert.equal(a.pfn(1027), 2048);
    const b = r.read(1020n * 4096n, 9, true);
    const again = new Int32Array(9);
    b.frames(again);
    assert.deepEqual([...again], [...out], 'a shorter read into the kept buffer');
  } finally {
    r.close();
  }
});

test('frames hidden from an unprivileged reader: present pages, frame 0', () => {
  const c = readPagemap(78, 0n, 4, 4096, { root });
  assert.ok(c.present(0));
  assert.equal(c.pfn(0), 0);
  assert.equal(pfnsVisible(c), false);
});

test('framesFollow: a whole THP, a run of base pages, a gap', () => {
  const c = readPagemap(77, 0n, 1029, 4096, { root });
  assert.ok(c.framesFollow(0, 512));
  assert.ok(c.framesFollow(0, 1024), 'frames 512-1535 are contiguous');
  assert.ok(!c.framesFollow(512, 513), 'page 1024 is not present');
  assert.ok(!c.framesFollow(1026, 2), 'frame 1536 then 2048');
  assert.ok(!c.framesFollow(1024, 1), 'a page that is not there');
  assert.ok(!c.framesFollow(1000, 100), 'past the chunk');
});

test('framesFollow agrees with the page-by-page definition (also across a 2^32 frame carry)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ present: fc.boolean(), step: fc.constantFrom(1, 1, 1, 2, 0) }), { minLength: 1, maxLength: 40 }),
      fc.constantFrom(5, 2 ** 32 - 7, 2 ** 40),
      (pages, base) => {
        const words = new Uint32Array(pages.length * 2);
        const view = new DataView(words.buffer);
        let pfn = base;
        pages.forEach((p, i) => {
          const v = (p.present ? 1n << 63n : 0n) | BigInt(pfn);
          view.setBigUint64(i * 8, v, true);
          pfn += p.step;
        });
        const c = new PagemapChunk(words);
        for (let i = 0; i < pages.length; i++) {
          for (let n = 1; i + n <= pages.length; n++) {
            let want = true;
            for (let j = 0; j < n; j++) if (!c.present(i + j) || c.pfn(i + j) !== c.pfn(i) + j) want = false;
            if (c.framesFollow(i, n) !== want) return false;
          }
        }
        return true;
      },
    ),
  );
});

test('frames: the frame while it is below 2^31, else a marker', () => {
  const frames = [0, 5, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 3, 2 ** 40];
  const words = new Uint32Array(frames.length * 2);
  const view = new DataView(words.buffer);
  frames.forEach((f, i) => view.setBigUint64(i * 8, (1n << 63n) | BigInt(f), true));
  const c = new PagemapChunk(words);
  const out = new Int32Array(frames.length);
  c.frames(out);
  assert.deepEqual([...out], [0, 5, 2 ** 31 - 1, FRAME_LARGE, FRAME_LARGE, FRAME_LARGE]);
  assert.deepEqual(frames.map((_, i) => c.pfn(i)), frames);
  assert.ok(frames.every((_, i) => c.present(i)));
});

test('kpageflags: head, tails and THP bits; past the end all zero; absent file: undefined', () => {
  const k = openKpageflags(root)!;
  try {
    const f = k.read(512, 2);
    assert.ok(f.has(0, KPF_COMPOUND_HEAD) && f.has(0, KPF_THP) && !f.has(0, KPF_COMPOUND_TAIL));
    assert.ok(f.has(1, KPF_COMPOUND_TAIL) && f.has(1, KPF_THP));
    assert.ok(!k.read(1024, 1).has(0, KPF_COMPOUND_TAIL));
    assert.ok(!k.read(100000, 1).has(0, KPF_THP));
  } finally {
    k.close();
  }
  assert.equal(openKpageflags(fixture('sys-guest-4node')), undefined);
});

test('pagemap of a pid that is not there: ProcessGoneError', () => {
  assert.throws(() => openPagemap(4242, 4096, { root }), ProcessGoneError);
});

test('the live pagemap of this process: page 0 is never mapped', () => {
  const here = readPagemap(process.pid, 0n, 1, 4096);
  assert.equal(here.length, 1);
  assert.equal(here.present(0), false, 'page 0 is never mapped');
});
