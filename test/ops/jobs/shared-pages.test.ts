// Pages several members of a job map get one owner: four processes sharing anonymous memory, a
// tmpfs file and copy-on-write pages after fork, surveyed from their pagemaps.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pageSize } from '../../../src/kernel/index.js';
import { surveySharedPages } from '../../../src/ops/jobs/shared-pages.js';
import { readVmas } from '../../../src/procfs/vmas.js';
import { startJobTarget, type Region } from '../../targets/job-target.js';

const root = process.geteuid?.() === 0;

test('shared anonymous, tmpfs and copy-on-write pages: one owner each, every other mapping skipped', { skip: root ? false : 'frame numbers need root' }, async () => {
  const dir = mkdtempSync('/dev/shm/numapol-job-');
  const t = await startJobTarget({ processes: 4, sharedMiB: 2, fileMiB: 3, cowMiB: 1, ownMiB: 1, file: join(dir, 'data'), options: ['nothp'] });
  try {
    const ps = pageSize();
    const within = (r: Region) => (v: { start: bigint; end: bigint }) => v.start < r.addr + r.len && r.addr < v.end;
    const members = t.pids.map((pid) => ({
      pid,
      segments: readVmas(pid)
        .filter((v) => [t.shared, t.file, t.cow, t.own.get(pid)!].some((r) => within(r)(v)))
        .map((v) => ({ start: v.start, end: v.end, vma: v })),
    }));
    const s = surveySharedPages(members, ps);
    const sharedPages = Number(t.shared.len + t.file.len + t.cow.len) / ps;
    assert.equal(s.identity, 'frame');
    assert.equal(s.sharedPages, sharedPages, 'every page of the three shared regions, once');
    assert.equal(s.skippedMappings, 3 * sharedPages, 'three of the four mappings of each are skipped');
    // The first process owns them all; the others skip exactly those, and nothing of their own.
    const page = (a: bigint): number => Number(a / BigInt(ps));
    assert.equal(s.owned.get(t.pids[0]!)?.size, sharedPages);
    for (const pid of t.pids.slice(1)) {
      const skip = s.skip.get(pid)!;
      assert.equal(skip.size, sharedPages);
      const own = t.own.get(pid)!;
      for (let a = own.addr; a < own.addr + own.len; a += BigInt(ps)) assert.ok(!skip.has(page(a)), 'a page of its own is never skipped');
      assert.ok(skip.has(page(t.cow.addr)) && skip.has(page(t.file.addr)) && skip.has(page(t.shared.addr)));
    }
    assert.match(await t.verify(), /^verify ok/);
    await t.quit();
  } finally {
    t.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
