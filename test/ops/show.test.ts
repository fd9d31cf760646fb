import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessGoneError } from '../../src/errors.js';
import { showProcess } from '../../src/ops/show.js';
import { fixture } from '../fixtures/fixture-path.js';
import { expand, readFixture, sumNumaMaps } from './helpers.js';

const CASES = [
  { tree: 'proc-guest-policies', pid: 244 },
  { tree: 'proc-host-python', pid: 8022 },
  { tree: 'proc-host-sleep', pid: 8000 },
] as const;

function statusField(tree: string, pid: number, name: string): string {
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(readFixture(tree, `proc/${pid}/status`));
  assert.ok(m, name);
  return m[1]!.trim();
}

for (const { tree, pid } of CASES) {
  test(`show ${pid} (${tree}): name, state, cpuset and threads from status and task/`, () => {
    const r = showProcess(pid, { root: fixture(tree) });
    assert.equal(r.pid, pid);
    assert.equal(r.name, statusField(tree, pid, 'Name'));
    assert.equal(r.state, statusField(tree, pid, 'State')[0]);
    assert.deepEqual(r.cpuset.cpus, expand(statusField(tree, pid, 'Cpus_allowed_list')));
    assert.deepEqual(r.cpuset.mems, expand(statusField(tree, pid, 'Mems_allowed_list')));
    const tids = readdirSync(join(fixture(tree), 'proc', String(pid), 'task')).map(Number).sort((a, b) => a - b);
    assert.deepEqual(
      r.threads.map((t) => t.tid),
      tids,
    );
    for (const t of r.threads) {
      assert.equal(t.name, readFixture(tree, `proc/${pid}/task/${t.tid}/comm`).trim());
      assert.equal(t.source, 'numa_maps');
    }
  });

  test(`show ${pid} (${tree}): memory per node sums numa_maps pages x page size`, () => {
    const r = showProcess(pid, { root: fixture(tree) });
    const s = sumNumaMaps(readFixture(tree, `proc/${pid}/numa_maps`));
    const nodes = Object.keys(s.total).map(Number).sort((a, b) => a - b);
    assert.deepEqual(
      r.memory.map((m) => m.node),
      nodes,
    );
    const KiB = (rec: Record<number, number>, n: number): number => (rec[n] ?? 0) * 1024;
    for (const m of r.memory) {
      assert.equal(m.totalBytes, KiB(s.total, m.node), `total on ${m.node}`);
      assert.equal(m.anonBytes, KiB(s.anon, m.node), `anon on ${m.node}`);
      assert.equal(m.fileBytes, KiB(s.file, m.node), `file on ${m.node}`);
      assert.equal(m.hugeBytes, KiB(s.huge, m.node), `huge on ${m.node}`);
      assert.equal(m.heapBytes, KiB(s.heap, m.node), `heap on ${m.node}`);
      assert.equal(m.stackBytes, KiB(s.stack, m.node), `stack on ${m.node}`);
      assert.equal(m.anonBytes + m.fileBytes, m.totalBytes);
    }
    assert.equal(
      r.totalBytes,
      r.memory.reduce((a, m) => a + m.totalBytes, 0),
    );
  });
}

test('show: each thread policy is the one its own numa_maps shows (main bind:1-2, second thread prefer:3)', () => {
  const r = showProcess(244, { root: fixture('proc-guest-policies') });
  const byTid = new Map(r.threads.map((t) => [t.tid, t]));
  assert.equal(byTid.get(244)?.policyText, 'bind:1-2');
  assert.deepEqual(byTid.get(244)?.policy, { mode: 'bind', nodes: [1, 2], flags: {} });
  assert.equal(byTid.get(247)?.policyText, 'prefer:3');
  assert.deepEqual(byTid.get(247)?.policy, { mode: 'preferred', nodes: [3], flags: {} });
});

test('show: default and interleave thread policies on the host captures', () => {
  const sleep = showProcess(8000, { root: fixture('proc-host-sleep') });
  assert.deepEqual(
    sleep.threads.map((t) => [t.policyText, t.policy?.mode]),
    [['default', 'default']],
  );
  const py = showProcess(8022, { root: fixture('proc-host-python') });
  for (const t of py.threads) {
    assert.equal(t.policyText, 'interleave:0');
    assert.equal(t.policy?.mode, 'interleave');
  }
});

test('show: the anonymous hugetlb page counts as anon and huge, not as file', () => {
  // proc-guest-policies has one 2 MiB MAP_HUGETLB page on node 1 (/anon_hugepage in maps).
  const r = showProcess(244, { root: fixture('proc-guest-policies') });
  const n1 = r.memory.find((m) => m.node === 1);
  assert.ok(n1);
  assert.equal(n1.hugeBytes, 2 * 1048576);
  assert.ok(n1.anonBytes >= n1.hugeBytes);
});

test('show: maxThreads stops at that many threads', () => {
  const r = showProcess(244, { root: fixture('proc-guest-policies'), maxThreads: 1 });
  assert.equal(r.threads.length, 1);
});

test('show of a pid that is not there: ProcessGoneError "pid N is gone"', () => {
  assert.throws(
    () => showProcess(999999, { root: fixture('proc-host-sleep') }),
    (e: unknown) => e instanceof ProcessGoneError && e.message === 'pid 999999 is gone' && !e.usage,
  );
});
