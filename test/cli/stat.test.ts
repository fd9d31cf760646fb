import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cFixed } from '../../src/cli/cfixed.js';
import { gonePid, lines, numapol, sleeper } from './helpers.js';

interface StatJson {
  nodes: number[];
  counters?: { name: string; perNode: number[]; total: number }[];
  meminfo?: { name: string; perNode: number[]; total: number }[];
  processes?: { pid: number; name: string; byCategory: Record<string, number[]>; perNode: number[]; totalBytes: number }[];
  unreadable?: number;
}

function statJson(args: string[]): StatJson {
  const r = numapol(['stat', '--json', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as StatJson;
}

const NUMA_COUNTERS = ['numa_hit', 'numa_miss', 'numa_foreign', 'interleave_hit', 'local_node', 'other_node'];

function sysCounter(node: number, name: string): number {
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(readFileSync(`/sys/devices/system/node/node${node}/numastat`, 'utf8'))![1]);
}

test('stat --json: counters in numastat order, per online node, never decreasing against a later read', () => {
  const before = statJson([]);
  assert.ok(before.counters && before.processes);
  assert.deepEqual(
    before.counters.slice(0, 6).map((c) => c.name),
    NUMA_COUNTERS,
  );
  for (const c of before.counters) {
    assert.equal(c.perNode.length, before.nodes.length);
    assert.equal(
      c.total,
      c.perNode.reduce((a, b) => a + b, 0),
    );
    // The kernel's counters only grow: what we printed is at most what /sys says now.
    before.nodes.forEach((n, i) => assert.ok(c.perNode[i]! <= sysCounter(n, c.name), `${c.name} node ${n}`));
  }
});

test('stat without -p lists every process with memory, largest first, with documented fields', () => {
  const s = sleeper();
  try {
    const data = statJson([]);
    const ps = data.processes!;
    assert.ok(ps.length > 1);
    for (let i = 1; i < ps.length; i++) assert.ok(ps[i - 1]!.totalBytes >= ps[i]!.totalBytes);
    assert.ok(ps.some((p) => p.pid === s.pid), 'the sleeping child is listed');
    const p = ps[0]!;
    assert.deepEqual(Object.keys(p).sort(), ['byCategory', 'name', 'perNode', 'pid', 'totalBytes']);
    assert.deepEqual(Object.keys(p.byCategory).sort(), ['heap', 'huge', 'private', 'stack']);
  } finally {
    s.stop();
  }
});

test('stat -p PID: that process only, no counters; categories add up to the total', () => {
  const s = sleeper();
  try {
    const data = statJson(['-p', String(s.pid)]);
    assert.equal(data.counters, undefined);
    assert.equal(data.processes?.length, 1);
    const p = data.processes![0]!;
    assert.equal(p.pid, s.pid);
    data.nodes.forEach((_, i) => {
      const sum = ['huge', 'heap', 'stack', 'private'].reduce((a, c) => a + p.byCategory[c]![i]!, 0);
      assert.equal(sum, p.perNode[i]);
    });
    assert.equal(
      p.totalBytes,
      p.perNode.reduce((a, b) => a + b, 0),
    );
    // numastat's layout: a blank line, the title, two header lines, the categories, a rule, Total.
    const human = numapol(['stat', '-p', String(s.pid)]);
    assert.equal(human.status, 0);
    const all = human.stdout.split('\n');
    assert.equal(all[0], '');
    assert.equal(all[1], `Per-node process memory usage (in MBs) for PID ${s.pid} (sleep)`);
    assert.deepEqual(all.slice(4, 10).map((l) => l.split(/\s+/)[0]), ['Huge', 'Heap', 'Stack', 'Private', '----------------', 'Total']);
    // Every column ends where its header ends: right-aligned in 16 characters after a 17-wide label.
    const header = all[2]!;
    for (const l of all.slice(3, 10)) assert.equal(l.length, header.length, l);
    const total = all[9]!.trim().split(/\s+/).at(-1);
    assert.equal(total, cFixed(p.totalBytes / 1048576, 2));
  } finally {
    s.stop();
  }
});

test('stat -p NAME (twice) and -p PID: several processes, one table with a Total row', () => {
  const a = sleeper(301);
  const b = sleeper(302);
  try {
    const data = statJson(['-p', 'sleep 301', '-p', String(b.pid)]);
    assert.deepEqual(data.processes?.map((p) => p.pid).sort(), [a.pid, b.pid].sort());
    const r = numapol(['stat', '-p', String(a.pid), '-p', String(b.pid)]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^PID\s+Node 0/m);
    assert.match(r.stdout, /^Total\s/m);
  } finally {
    a.stop();
    b.stop();
  }
});

test('stat -p NAME that matches nothing, or a PID that is gone: exit 1 naming it', () => {
  const r = numapol(['stat', '-p', 'no-such-process-zzz']);
  assert.equal(r.status, 1);
  assert.deepEqual(lines(r.stderr), ["numapol: no process matches 'no-such-process-zzz'"]);
  // numastat's command line: PIDs and patterns may also come bare.
  const gone = gonePid();
  const g = numapol(['stat', String(gone)]);
  assert.deepEqual([g.status, g.stdout, g.stderr], [1, '', `numapol: pid ${gone} is gone\n`]);
});

test('stat PID: a bare PID is a process, as in numastat', () => {
  const s = sleeper();
  try {
    const r = numapol(['stat', String(s.pid)]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[1], `Per-node process memory usage (in MBs) for PID ${s.pid} (sleep)`);
  } finally {
    s.stop();
  }
});

test('stat without arguments prints the counters in pages (the old numastat), -n in MB', () => {
  const pg = numapol(['stat']);
  const mb = numapol(['stat', '-n']);
  assert.equal(pg.status, 0, pg.stderr);
  assert.equal(mb.status, 0, mb.stderr);
  const row = (text: string, name: string): string[] => lines(text).find((l) => l.startsWith(`${name} `))!.trim().split(/\s+/).slice(1);
  const nodes = readFileSync('/sys/devices/system/node/online', 'utf8').trim();
  // Pages: one column per node headed nodeN, no Total; MB: Node N columns and a Total.
  assert.match(lines(pg.stdout)[0]!, /^ {16}( {11}node\d+)+$/);
  assert.equal(lines(pg.stdout).length, 7, nodes);
  assert.match(mb.stdout, /^\nPer-node numastat info \(in MBs\):\n/);
  // numa_miss grows rarely on a 1-node machine: compare it exactly across the two runs.
  const missPages = row(pg.stdout, 'numa_miss').map(Number);
  const missMB = row(mb.stdout, 'Numa_Miss');
  assert.deepEqual(
    [...missPages, missPages.reduce((a, b) => a + b, 0)].map((p) => cFixed((p * 4096) / 1048576, 2)),
    missMB,
  );
  for (const v of row(pg.stdout, 'numa_hit')) assert.match(v, /^\d+$/);
  for (const v of row(mb.stdout, 'Numa_Hit')) assert.match(v, /^\d+\.\d\d$/);
});

test('stat -m: per-node meminfo rows (MemTotal matches /sys)', () => {
  const data = statJson(['-m', '-p', String(process.pid)]);
  const memTotal = data.meminfo?.find((m) => m.name === 'MemTotal');
  assert.ok(memTotal);
  data.nodes.forEach((n, i) => {
    const kib = Number(/MemTotal:\s+(\d+)/.exec(readFileSync(`/sys/devices/system/node/node${n}/meminfo`, 'utf8'))![1]);
    assert.equal(memTotal.perNode[i], kib * 1024);
  });
  const human = numapol(['stat', '-m', '-p', String(process.pid)]);
  assert.match(human.stdout, /^Per-node system memory usage \(in MBs\):$/m);
  const memTotalMB = lines(human.stdout).find((l) => l.startsWith('MemTotal '))!.trim().split(/\s+/).at(-1);
  assert.equal(memTotalMB, cFixed(memTotal.total / 1048576, 2));
});

test('stat --sort on a missing node: exit 2', () => {
  const r = numapol(['stat', '-p', String(process.pid), '--sort', '9']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /node 9 does not exist/);
});
