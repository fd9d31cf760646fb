import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { numaMapsLinePolicy, parseNumaMapsLine, readNumaMaps, streamNumaMaps, type NumaMapsEntry } from '../../src/procfs/numa-maps.js';
import { formatNumaMapsLine } from '../../src/procfs/numa-maps-format.js';
import { formatRanges } from '../../src/kernel/range-list.js';
import { fixture } from '../fixtures/fixture-path.js';

test('current format: counters, nodes, page size', () => {
  const e = parseNumaMapsLine('7fdd935d2000 interleave:1-3 anon=12 dirty=12 active=0 N1=4 N2=4 N3=4 kernelpagesize_kB=4');
  assert.deepEqual(e, {
    start: 0x7fdd935d2000n,
    policyText: 'interleave:1-3',
    heap: false,
    stack: false,
    huge: false,
    anon: 12,
    dirty: 12,
    active: 0,
    pagesPerNode: { 1: 4, 2: 4, 3: 4 },
    pages: 12,
    kernelPageSizeKiB: 4,
  });
});

test('policies with spaces stay whole', () => {
  assert.equal(parseNumaMapsLine('7f00 prefer (many):0,2 anon=8 N2=8 kernelpagesize_kB=4')?.policyText, 'prefer (many):0,2');
  assert.equal(parseNumaMapsLine('7f00 weighted interleave:0-3 heap')?.policyText, 'weighted interleave:0-3');
  assert.equal(parseNumaMapsLine('7f00 weighted interleave=static:0-3 stack')?.policyText, 'weighted interleave=static:0-3');
  const e = parseNumaMapsLine('7f00 prefer (many)=relative|balancing:1 file=/x');
  assert.equal(e?.policyText, 'prefer (many)=relative|balancing:1');
  assert.equal(e?.file, '/x');
});

test('file paths: kernel escapes decoded, raw blanks tolerated', () => {
  assert.equal(parseNumaMapsLine('7f00 default file=/tmp/a\\040b\\075c.dat dirty=10 N0=10')?.file, '/tmp/a b=c.dat');
  const raw = parseNumaMapsLine('7f00 default file=/tmp/my file.dat anon=1 N0=1 kernelpagesize_kB=4');
  assert.equal(raw?.file, '/tmp/my file.dat');
  assert.equal(raw?.anon, 1);
  // A backslash the kernel did not produce is kept as written.
  assert.equal(parseNumaMapsLine('7f00 default file=/a\\b')?.file, '/a\\b');
});

test('heap, stack, stack:TID, huge and unknown tokens', () => {
  const h = parseNumaMapsLine('2aaaaaaab000 bind:0-1 huge anon=2 dirty=2 N0=1 N1=1 kernelpagesize_kB=2048');
  assert.equal(h?.huge, true);
  assert.equal(h?.kernelPageSizeKiB, 2048);
  assert.equal(parseNumaMapsLine('7ffd00 default stack anon=9 N0=9')?.stack, true);
  const t = parseNumaMapsLine('7ff000 default stack:1234 anon=2 N0=2');
  assert.equal(t?.stackTid, 1234);
  const u = parseNumaMapsLine('7ff000 default anon=2 frobbed=7 shiny N0=2');
  assert.deepEqual(u?.other, { frobbed: '7', shiny: '' });
});

test('2005 ia64 format of the seed', () => {
  const entries = readNumaMaps(12024, { root: fixture('proc-ia64-2005') });
  assert.equal(entries.length, 16);
  const libc = entries[4]!;
  assert.equal(libc.start, 0x2000000000058000n);
  assert.equal(libc.policyText, 'prefer=1');
  assert.equal(libc.mapmax, 42);
  assert.equal(libc.legacyPages, 59);
  assert.equal(libc.mapped, 59);
  assert.deepEqual(libc.pagesPerNode, { 0: 14, 1: 16, 2: 15, 3: 14 });
  assert.equal(libc.pages, 59);
  assert.equal(entries[13]!.policyText, 'interleave=2,3');
  assert.equal(entries[13]!.anon, 1);
  // Pages= equals the node sum on every line of the sample.
  for (const e of entries) assert.equal(e.pages, e.legacyPages);
});

test('every line of the real captures parses, and N<nid> sums match the counters', () => {
  const captures: Array<[string, number]> = [
    ['proc-guest-policies', 244],
    ['proc-host-python', 8022],
    ['proc-host-sleep', 8000],
  ];
  for (const [name, pid] of captures) {
    const root = fixture(name);
    const text = readFileSync(join(root, `proc/${pid}/numa_maps`), 'utf8');
    const entries = readNumaMaps(pid, { root });
    assert.equal(entries.length, text.trim().split('\n').length);
    for (const e of entries) {
      assert.equal(e.other, undefined, `unknown token in ${name}: ${JSON.stringify(e.other)}`);
      if (e.anon !== undefined) assert.ok(e.anon <= e.pages);
      if (e.mapped !== undefined) assert.equal(e.mapped, e.pages);
    }
  }
});

test('streamNumaMaps yields what readNumaMaps returns', async () => {
  const root = fixture('proc-guest-policies');
  const streamed: NumaMapsEntry[] = [];
  for await (const e of streamNumaMaps(244, { root })) streamed.push(e);
  assert.deepEqual(streamed, readNumaMaps(244, { root }));
});

const nodeList = fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 6 }).map((xs) => formatRanges(xs));
const policyText = fc.oneof(
  fc.constantFrom('default', 'local'),
  fc.integer({ min: 0, max: 63 }).map((n) => `prefer:${n}`),
  fc.tuple(
    fc.constantFrom('bind', 'interleave', 'prefer (many)', 'weighted interleave', 'prefer'),
    fc.constantFrom('', '=static', '=relative', '=balancing', '=static|balancing'),
    nodeList,
  ).map(([m, f, l]) => `${m}${f}:${l}`),
  nodeList.map((l) => `interleave=${l}`),
);
const pathChar = fc.constantFrom('a', 'b', 'Z', '/', '.', '-', '_', ' ', '=', '\t', '\n', 'é', '(', ')', ':');
const entry: fc.Arbitrary<NumaMapsEntry> = fc
  .record({
    start: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    policyText,
    where: fc.oneof(
      fc.string({ unit: pathChar, minLength: 1, maxLength: 30 }).map((s) => ({ file: '/' + s })),
      fc.constant({ heap: true }),
      fc.constant({ stack: true }),
      fc.integer({ min: 1, max: 1 << 22 }).map((t) => ({ stack: true, stackTid: t })),
      fc.constant({}),
    ),
    huge: fc.boolean(),
    counters: fc.record(
      {
        anon: fc.nat(),
        dirty: fc.nat(),
        mapped: fc.nat(),
        mapmax: fc.nat(),
        swapcache: fc.nat(),
        active: fc.nat(),
        writeback: fc.nat(),
      },
      { requiredKeys: [] },
    ),
    nodes: fc.dictionary(fc.integer({ min: 0, max: 1023 }).map(String), fc.integer({ min: 1, max: 1 << 30 }), { maxKeys: 8 }),
    kernelPageSizeKiB: fc.option(fc.constantFrom(4, 16, 64, 2048, 1048576), { nil: undefined }),
  })
  .map((r) => {
    const pagesPerNode: Record<number, number> = {};
    let pages = 0;
    for (const [k, v] of Object.entries(r.nodes)) {
      pagesPerNode[Number(k)] = v;
      pages += v;
    }
    const e: NumaMapsEntry = {
      start: r.start,
      policyText: r.policyText,
      heap: false,
      stack: false,
      huge: r.huge,
      ...r.counters,
      pagesPerNode,
      pages,
    };
    Object.assign(e, r.where);
    if (r.kernelPageSizeKiB !== undefined) e.kernelPageSizeKiB = r.kernelPageSizeKiB;
    return e;
  });

test('property: format then parse gives the entry back', () => {
  fc.assert(
    fc.property(entry, (e) => {
      assert.deepEqual(parseNumaMapsLine(formatNumaMapsLine(e)), e);
    }),
    { numRuns: 2000 },
  );
});

test('property: numaMapsLinePolicy is the policy text parseNumaMapsLine finds, on entries and on any text', () => {
  fc.assert(
    fc.property(entry, (e) => {
      assert.equal(numaMapsLinePolicy(formatNumaMapsLine(e)), e.policyText);
    }),
    { numRuns: 1000 },
  );
  const lineChar = fc.constantFrom('0', '7', 'f', 'a', ' ', '=', ':', 'N', 'x', 'é', '\r', 'weighted', 'heap', 'file=');
  fc.assert(
    fc.property(fc.string({ unit: lineChar, maxLength: 40 }), (line) => {
      assert.equal(numaMapsLinePolicy(line), parseNumaMapsLine(line)?.policyText);
    }),
    { numRuns: 3000 },
  );
});

test('numaMapsLinePolicy: policies with blanks, the 2005 form, and lines that are not entries', () => {
  assert.equal(numaMapsLinePolicy('7f0000 weighted interleave=static:0-3 anon=1 N0=1'), 'weighted interleave=static:0-3');
  assert.equal(numaMapsLinePolicy('7f0000 prefer (many):0,2 heap anon=1'), 'prefer (many):0,2');
  assert.equal(numaMapsLinePolicy('2aaaaaaab000 prefer=1 MaxRef=42 Pages=11 Mapped=11 Anon=2 N1=2'), 'prefer=1');
  assert.equal(numaMapsLinePolicy('7f0000 default\r'), 'default');
  assert.equal(numaMapsLinePolicy('7f0000'), undefined);
  assert.equal(numaMapsLinePolicy('xyz default'), undefined);
  assert.equal(numaMapsLinePolicy(''), undefined);
});
