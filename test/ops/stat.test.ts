import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NumapolError } from '../../src/errors.js';
import { NUMASTAT_COUNTERS, numastat } from '../../src/ops/stat.js';
import { fixture } from '../fixtures/fixture-path.js';
import { expand, joinedRoot, readFixture, sumNumaMaps } from './helpers.js';

const SYS = 'sys-guest-4node';
const NODE_DIR = 'sys/devices/system/node';
const root = joinedRoot(SYS, 'proc-guest-policies');

/** A root with the 4-node sys tree and two processes: 244 (guest python) and 8022 (host python). */
function twoProcessRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'numapol-stat-'));
  symlinkSync(join(fixture(SYS), 'sys'), join(dir, 'sys'));
  mkdirSync(join(dir, 'proc'));
  symlinkSync(join(fixture('proc-guest-policies'), 'proc', '244'), join(dir, 'proc', '244'));
  symlinkSync(join(fixture('proc-host-python'), 'proc', '8022'), join(dir, 'proc', '8022'));
  return dir;
}

function fixtureCounters(node: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFixture(SYS, `${NODE_DIR}/node${node}/numastat`).split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k) out[k] = Number(v);
  }
  return out;
}

const NODES = expand(readFixture(SYS, `${NODE_DIR}/online`));

test('stat: counters per node are the numastat files, in numastat order, with totals', () => {
  const r = numastat({ root, allProcesses: false });
  assert.deepEqual(r.nodes, NODES);
  assert.ok(r.counters);
  assert.deepEqual(
    r.counters.slice(0, NUMASTAT_COUNTERS.length).map((c) => c.name),
    [...NUMASTAT_COUNTERS],
  );
  const files = NODES.map(fixtureCounters);
  for (const c of r.counters) {
    assert.deepEqual(
      c.perNode,
      files.map((f) => f[c.name] ?? 0),
      c.name,
    );
    assert.equal(
      c.total,
      c.perNode.reduce((a, b) => a + b, 0),
    );
  }
  assert.equal(r.processes, undefined);
  assert.equal(r.meminfo, undefined);
});

test('stat -m: per-node meminfo in bytes (HugePages_* as counts)', () => {
  const r = numastat({ root, meminfo: true, allProcesses: false });
  assert.ok(r.meminfo);
  const get = (name: string): number[] => r.meminfo!.find((m) => m.name === name)!.perNode as number[];
  const kib = (node: number, field: string): number =>
    Number(new RegExp(`^Node ${node} ${field}:\\s+(\\d+)`, 'm').exec(readFixture(SYS, `${NODE_DIR}/node${node}/meminfo`))![1]);
  assert.deepEqual(
    get('MemTotal'),
    NODES.map((n) => kib(n, 'MemTotal') * 1024),
  );
  assert.deepEqual(
    get('MemFree'),
    NODES.map((n) => kib(n, 'MemFree') * 1024),
  );
  assert.deepEqual(
    get('HugePages_Total'),
    NODES.map((n) => kib(n, 'HugePages_Total')),
  );
});

test('stat -p PID: no counters; Huge/Heap/Stack/Private and per-node totals from numa_maps', () => {
  const r = numastat({ root, processes: ['244'] });
  assert.equal(r.counters, undefined);
  assert.equal(r.processes?.length, 1);
  const p = r.processes![0]!;
  assert.equal(p.pid, 244);
  assert.equal(p.name, 'python3');
  const s = sumNumaMaps(readFixture('proc-guest-policies', 'proc/244/numa_maps'));
  const col = (rec: Record<number, number>): number[] => NODES.map((n) => (rec[n] ?? 0) * 1024);
  assert.deepEqual(p.perNode, col(s.total));
  assert.deepEqual(p.byCategory.huge, col(s.huge));
  assert.deepEqual(p.byCategory.heap, col(s.heap));
  assert.deepEqual(p.byCategory.stack, col(s.stack));
  const priv = NODES.map((_, i) => p.perNode[i]! - p.byCategory.huge[i]! - p.byCategory.heap[i]! - p.byCategory.stack[i]!);
  assert.deepEqual(p.byCategory.private, priv);
  assert.equal(
    p.totalBytes,
    p.perNode.reduce((a, b) => a + b, 0),
  );
  // numastat -p for this capture: Huge 2.00 MiB on node 1.
  assert.equal(p.byCategory.huge[1], 2 * 1048576);
});

test('stat -p NAME: every process whose name or cmdline contains NAME', () => {
  const r = numastat({ root: twoProcessRoot(), processes: ['python3'] });
  assert.deepEqual(r.processes?.map((p) => p.pid).sort(), [244, 8022]);
  const one = numastat({ root: twoProcessRoot(), processes: ['a b=c.dat'] });
  assert.deepEqual(
    one.processes?.map((p) => p.pid),
    [8022],
  );
});

test('stat -p NAME that matches nothing: an error naming it', () => {
  assert.throws(
    () => numastat({ root, processes: ['no-such-program-xyz'] }),
    (e: unknown) => e instanceof NumapolError && e.code === 'ENOPROC' && e.message.includes("'no-such-program-xyz'"),
  );
});

test('stat without -p: counters and every process with resident memory, largest first', () => {
  const r = numastat({ root: twoProcessRoot() });
  assert.ok(r.counters);
  const ps = r.processes ?? [];
  assert.deepEqual(ps.map((p) => p.pid).sort(), [244, 8022]);
  for (let i = 1; i < ps.length; i++) assert.ok(ps[i - 1]!.totalBytes >= ps[i]!.totalBytes);
});

test('stat --sort NODE: by bytes on that node', () => {
  const dir = twoProcessRoot();
  const s244 = sumNumaMaps(readFixture('proc-guest-policies', 'proc/244/numa_maps'));
  const s8022 = sumNumaMaps(readFixture('proc-host-python', 'proc/8022/numa_maps'));
  for (const node of [0, 1]) {
    const r = numastat({ root: dir, processes: ['244', '8022'], sortNode: node });
    const expected = (s244.total[node] ?? 0) >= (s8022.total[node] ?? 0) ? [244, 8022] : [8022, 244];
    assert.deepEqual(
      r.processes?.map((p) => p.pid),
      expected,
      `sorted by node ${node}`,
    );
  }
  // The two captures differ on both nodes in opposite directions, so the test can fail.
  assert.ok((s8022.total[0] ?? 0) > (s244.total[0] ?? 0));
  assert.ok((s244.total[1] ?? 0) > (s8022.total[1] ?? 0));
});

test('stat --sort on a node that does not exist: usage error', () => {
  assert.throws(
    () => numastat({ root, processes: ['244'], sortNode: 9 }),
    (e: unknown) => e instanceof NumapolError && e.usage && /node 9/.test(e.message),
  );
});

test('stat on a sparse machine: columns are the online nodes only', () => {
  const r = numastat({ root: joinedRoot('sys-sparse'), allProcesses: false });
  assert.deepEqual(r.nodes, [0, 2]);
  assert.ok(r.counters?.every((c) => c.perNode.length === 2));
  assert.equal(r.counters?.find((c) => c.name === 'numa_miss')?.perNode[1], 20);
});
