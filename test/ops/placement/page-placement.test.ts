// Per-page placement as the daemon journals it: the encoding round-trips any node layout, and a
// live process's record agrees with move_pages. Moves between nodes are tested in the guest
// (test/vm/daemon.test.ts: undo of a migrate rule and of a VMA rule with move).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeNodes, encodeNodes, recordPagePlacement, restorePagePlacement } from '../../../src/ops/placement/page-placement.js';
import { startWriter } from '../../targets/migrate-writer.js';

test('the node-per-page encoding round-trips any layout', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -1, max: 1023 }), { maxLength: 5000 }), (nodes) => {
      const a = Int16Array.from(nodes);
      assert.deepEqual(decodeNodes(encodeNodes(a), a.length), a);
    }),
  );
  assert.throws(() => decodeNodes(encodeNodes(Int16Array.from([1, 2, 3])), 4), /page placement of 4 pages holds 6 bytes/);
});

test('a regular layout of 1 GiB of pages keeps to a few KB', () => {
  const pages = 262_144;
  const interleaved = Int16Array.from({ length: pages }, (_, i) => i % 4);
  assert.ok(encodeNodes(interleaved).length < 8192, `${encodeNodes(interleaved).length} bytes`);
});

test('a live process: every page of its memory recorded on its node; restoring that record moves nothing', { skip: process.geteuid?.() !== 0 ? 'needs root' : false }, async () => {
  const w = await startWriter('anon', 8);
  try {
    const rec = recordPagePlacement(w.pid, { filter: { kinds: ['anon'] } });
    const total = Object.values(rec.pagesPerNode).reduce((a, b) => a + b, 0);
    assert.ok(total >= Number(w.len) / rec.pageSize, `${total} pages recorded, the writer has ${Number(w.len) / rec.pageSize}`);
    const back = await restorePagePlacement(w.pid, rec);
    assert.equal(back.tally.moved, 0);
    assert.equal(back.tally.alreadyThere + back.tally.notPresent + back.unmapped, total);
    assert.match(await w.stop(), /^verify ok/);
  } finally {
    w.kill();
  }
});
