import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { existsSync, readFileSync } from 'node:fs';
import { migrateProcess, migrationMap } from '../../src/ops/migrate.js';
import { parseRangeList } from '../../src/kernel/range-list.js';
import { ProcessGoneError } from '../../src/errors.js';
import { startWriter } from '../targets/migrate-writer.js';

const online = parseRangeList(readFileSync('/sys/devices/system/node/online', 'utf8')) ?? [0];
const first = online[0]!;

test('migrationMap keeps relative placement as migrate_pages does', () => {
  // The man page's example: 2-5 → 7,9,12-13.
  assert.deepEqual([...migrationMap([2, 3, 4, 5], [7, 9, 12, 13])], [[2, 7], [3, 9], [4, 12], [5, 13]]);
  // Overlapping sets of one size: each source moves once, to its own counterpart.
  assert.deepEqual([...migrationMap([0, 1], [1, 2])], [[0, 1], [1, 2]]);
  // Sizes differ: sources also in TO stay put; the rest wrap around TO.
  assert.deepEqual([...migrationMap([0, 1, 2, 3], [0])], [[1, 0], [2, 0], [3, 0]]);
  assert.deepEqual([...migrationMap([0, 1, 2], [4, 5])], [[0, 4], [1, 5], [2, 4]]);
  assert.deepEqual([...migrationMap([0], [1, 2, 3])], [[0, 1]]);
  assert.deepEqual([...migrationMap([3], [3])], [], 'a node to itself is nothing to do');
});

test('migrationMap: every destination is in TO and every moved source in FROM', () => {
  const nodes = fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 8 });
  fc.assert(
    fc.property(nodes, nodes, (from, to) => {
      const m = migrationMap(from, to);
      for (const [s, d] of m) {
        assert.ok(from.includes(s) && to.includes(d) && s !== d);
      }
      if (from.length === to.length) {
        // Equal sizes: a bijection, so no two sources land on one node.
        assert.equal(new Set(m.values()).size, m.size);
      }
    }),
  );
});

test('migrate between the same nodes moves nothing and reports the placement', async () => {
  const w = await startWriter('anon', 4);
  try {
    const r = await migrateProcess(w.pid, String(first), String(first));
    assert.equal(r.method, 'migrate_pages');
    assert.deepEqual(r.map, []);
    assert.equal(r.notMoved, 0);
    assert.ok((r.before[first] ?? 0) >= 1024, 'the writer has at least its 4 MiB on the node');
    const paced = await migrateProcess(w.pid, 'all', 'all', { batchPages: 64 });
    assert.equal(paced.method, 'move_pages');
    assert.equal(paced.notMoved, 0);
    const dry = await migrateProcess(w.pid, String(first), String(first), { dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.deepEqual(dry.flows, []);
    assert.match(await w.stop(), /^verify ok/);
  } finally {
    w.kill();
  }
});

test('migrate of a gone pid is ESRCH', async () => {
  const max = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  let pid = max - 1;
  while (existsSync(`/proc/${pid}`)) pid--;
  await assert.rejects(migrateProcess(pid, String(first), String(first)), (e: unknown) => e instanceof ProcessGoneError);
});
