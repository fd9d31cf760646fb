import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { applyMigrateLine, isMigrateLine, parseMigrateLine } from '../../src/ops/migrate-line.js';
import { parseRangeList } from '../../src/kernel/range-list.js';
import { startWriter } from '../targets/migrate-writer.js';

const online = parseRangeList(readFileSync('/sys/devices/system/node/online', 'utf8')) ?? [0];
const first = online[0]!;

test("the seeds' migrate lines parse", () => {
  assert.deepEqual(parseMigrateLine('2aaaaaaab000 N0>1'), { range: { start: 0x2aaaaaaab000n }, from: [0], to: [1] });
  assert.deepEqual(parseMigrateLine('2aaaaaaab000 N0(100)>1'), { range: { start: 0x2aaaaaaab000n }, from: [0], to: [1], maxPages: 100 });
  assert.deepEqual(parseMigrateLine('0x1000-0x3000 0-1>2,3'), { range: { start: 0x1000n, end: 0x3000n }, from: [0, 1], to: [2, 3] });
  assert.deepEqual(parseMigrateLine('  6000000000008000 N2 > N3 '), { range: { start: 0x6000000000008000n }, from: [2], to: [3] });
});

test('malformed migrate lines are parse errors; policy lines are not migrate lines', () => {
  assert.throws(() => parseMigrateLine('2aaaaaaab000 N0'), /bad migrate line/);
  assert.throws(() => parseMigrateLine('3000-1000 N0>1'), /ends before it starts/);
  assert.throws(() => parseMigrateLine('zz N0>1'), /bad migrate line/);
  assert.ok(isMigrateLine('2aaaaaaab000 N0(100)>1'));
  assert.ok(!isMigrateLine('2aaaaaaab000 bind=0,2-5'));
  assert.ok(!isMigrateLine('2aaaaaaab000 interleave={2,3}'));
});

test('applyMigrateLine moves (here: finds already placed) the pages of the VMA at ADDR', async () => {
  const w = await startWriter('anon', 2);
  try {
    const r = await applyMigrateLine(w.pid, `${w.addr.toString(16)} N${first}(100)>${first}`);
    assert.equal(r.start, `0x${w.addr.toString(16)}`);
    assert.equal(r.failed, 0);
    assert.equal(r.tally.alreadyThere, 512);
    assert.match(await w.stop(), /^verify ok/);
  } finally {
    w.kill();
  }
});
