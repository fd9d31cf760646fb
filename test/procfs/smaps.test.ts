import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSmaps, readSmaps } from '../../src/procfs/smaps.js';
import { readMaps } from '../../src/procfs/maps.js';
import { fixture } from '../fixtures/fixture-path.js';

test('parseSmaps reads fields and VmFlags', () => {
  const [e] = parseSmaps(
    '7f0000000000-7f0000400000 rw-p 00000000 00:00 0 \nSize:               4096 kB\nKernelPageSize:        4 kB\nMMUPageSize:           4 kB\nRss:                2048 kB\nPss:                1024 kB\nAnonymous:          2048 kB\nAnonHugePages:      2048 kB\nSwap:                  0 kB\nLocked:                0 kB\nTHPeligible:    1\nVmFlags: rd wr mr mw me ac hg\n',
  );
  assert.ok(e);
  assert.equal(e.start, 0x7f0000000000n);
  assert.equal(e.sizeKiB, 4096);
  assert.equal(e.rssKiB, 2048);
  assert.equal(e.pssKiB, 1024);
  assert.equal(e.anonHugePagesKiB, 2048);
  assert.equal(e.thpEligible, true);
  assert.deepEqual(e.vmFlags, ['rd', 'wr', 'mr', 'mw', 'me', 'ac', 'hg']);
});

test('smaps of the capture has one entry per maps line, Pss <= Rss', () => {
  const root = fixture('proc-guest-policies');
  const s = readSmaps(244, { root });
  const m = readMaps(244, { root });
  assert.deepEqual(
    s.map((e) => e.start),
    m.map((e) => e.start),
  );
  for (const e of s) assert.ok(e.pssKiB <= e.rssKiB && e.rssKiB <= e.sizeKiB);
});
