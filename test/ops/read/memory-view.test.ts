// The memory view on a made-up machine: the 4-node guest's /sys joined with a hand-written /proc
// (stat lines, numa_maps, threads on chosen CPUs), so every figure can be worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryViewSampler } from '../../../src/ops/read/memory-view.js';
import { joinedRoot } from '../helpers.js';

const PAGE = 4096;

/** A /proc/PID/stat line: fields 3-52, with the ones the view reads set. */
function statLine(pid: number, comm: string, f: { rss: number; cpu: number; threads: number; ticks?: number }): string {
  const fields: (string | number)[] = Array.from({ length: 50 }, () => 0);
  const at = (n: number, v: string | number): void => {
    fields[n - 3] = v;
  };
  at(3, 'S');
  at(14, f.ticks ?? 0);
  at(20, f.threads);
  at(24, f.rss);
  at(39, f.cpu);
  return `${pid} (${comm}) ${fields.join(' ')}\n`;
}

interface FakeProcess {
  readonly pid: number;
  readonly comm: string;
  readonly rssPages: number;
  /** tid → the CPU it last ran on. */
  readonly threads: Readonly<Record<number, number>>;
  /** node → 4 KiB pages. */
  readonly pages: Readonly<Record<number, number>>;
}

function machine(processes: readonly FakeProcess[], cpuTicks: readonly [busy: number, idle: number][]): string {
  const root = joinedRoot('sys-guest-4node');
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'proc'));
  writeStat(root, cpuTicks);
  for (const p of processes) {
    const dir = join(root, 'proc', String(p.pid));
    mkdirSync(join(dir, 'task'), { recursive: true });
    const tids = Object.keys(p.threads).map(Number);
    writeFileSync(join(dir, 'stat'), statLine(p.pid, p.comm, { rss: p.rssPages, cpu: p.threads[tids[0]!]!, threads: tids.length }));
    for (const tid of tids) {
      mkdirSync(join(dir, 'task', String(tid)));
      writeFileSync(join(dir, 'task', String(tid), 'stat'), statLine(tid, p.comm, { rss: p.rssPages, cpu: p.threads[tid]!, threads: tids.length }));
    }
    const nodes = Object.entries(p.pages).map(([n, c]) => `N${n}=${c}`).join(' ');
    const total = Object.values(p.pages).reduce((s, c) => s + c, 0);
    writeFileSync(join(dir, 'numa_maps'), `7f0000000000 default anon=${total} dirty=${total} ${nodes} kernelpagesize_kB=4\n`);
  }
  return root;
}

/** /proc/stat with cpuN lines: [busy, idle] ticks each (busy as user time). */
function writeStat(root: string, cpuTicks: readonly [number, number][]): void {
  const lines = cpuTicks.map(([busy, idle], cpu) => `cpu${cpu} ${busy} 0 0 ${idle} 0 0 0 0 0 0`);
  writeFileSync(join(root, 'proc', 'stat'), `cpu  0 0 0 0 0 0 0 0 0 0\n${lines.join('\n')}\nintr 0\n`);
}

const BIG: FakeProcess = { pid: 100, comm: 'big', rssPages: 1000, threads: { 100: 0, 101: 1 }, pages: { 0: 100, 1: 50, 2: 30 } };
const SMALL: FakeProcess = { pid: 200, comm: 'small', rssPages: 500, threads: { 200: 3 }, pages: { 3: 10 } };
const MANAGED: FakeProcess = { pid: 300, comm: 'managed', rssPages: 5, threads: { 300: 2 }, pages: { 0: 4, 2: 1 } };
const IDLE_CPUS: [number, number][] = [
  [0, 100],
  [0, 100],
  [0, 100],
  [0, 100],
];

test('remote bytes are those on nodes none of the threads last ran on; local ratio the rest', () => {
  const root = machine([BIG, SMALL], IDLE_CPUS);
  const view = new MemoryViewSampler({ root }).look(10);
  const big = view.processes.find((p) => p.pid === 100)!;
  // Threads on CPUs 0 and 1: nodes 0 and 1 are local, node 2's 30 pages are not.
  assert.deepEqual(big.bytesPerNode, { 0: 100 * PAGE, 1: 50 * PAGE, 2: 30 * PAGE });
  assert.equal(big.totalBytes, 180 * PAGE);
  assert.equal(big.localBytes, 150 * PAGE);
  assert.equal(big.remoteBytes, 30 * PAGE);
  assert.equal(big.localRatio, 150 / 180);
  assert.deepEqual(big.threadsPerNode, { 0: 1, 1: 1 });
  assert.equal('threads' in big, false, 'per-thread detail stays out of the view');
  const small = view.processes.find((p) => p.pid === 200)!;
  assert.equal(small.remoteBytes, 0);
  assert.equal(small.localRatio, 1);
  assert.deepEqual(
    view.nodes.map((n) => n.node),
    [0, 1, 2, 3],
  );
});

test('the largest `top` by resident memory, plus every managed process with its rule; gone ones left out', () => {
  const root = machine([BIG, SMALL, MANAGED], IDLE_CPUS);
  const sampler = new MemoryViewSampler({ root });
  const one = sampler.look(1);
  assert.deepEqual(
    one.processes.map((p) => p.pid),
    [100],
  );
  const view = sampler.look(1, new Map([
    [300, 'pin'],
    [999, 'gone'],
  ]));
  assert.deepEqual(
    view.processes.map((p) => [p.pid, p.rule, p.managed]),
    [
      [100, null, false],
      [300, 'pin', true],
    ],
  );
  const managed = view.processes.find((p) => p.pid === 300)!;
  // Its thread ran on CPU 2 (node 2): node 0's pages are remote.
  assert.equal(managed.remoteBytes, 4 * PAGE);
});

test('CPU use per node: zero at the first look by default, since boot with sinceBoot, then since the last look', () => {
  const busy: [number, number][] = [
    [30, 70],
    [0, 100],
    [50, 50],
    [100, 0],
  ];
  const root = machine([SMALL], busy);
  const plain = new MemoryViewSampler({ root }).look(1);
  assert.deepEqual(
    plain.nodes.map((n) => n.cpuBusy),
    [0, 0, 0, 0],
  );
  const sampler = new MemoryViewSampler({ root, sinceBoot: true });
  assert.deepEqual(
    sampler.look(1).nodes.map((n) => n.cpuBusy),
    [0.3, 0, 0.5, 1],
  );
  // 100 more ticks per CPU: node 0 busy for 10 of them, node 1 for all.
  writeStat(root, [
    [40, 160],
    [100, 100],
    [50, 150],
    [100, 100],
  ]);
  assert.deepEqual(
    sampler.look(1).nodes.map((n) => n.cpuBusy),
    [0.1, 1, 0, 0],
  );
});

test('a machine where every process has gone: nodes, and no processes', () => {
  const root = machine([], IDLE_CPUS);
  const view = new MemoryViewSampler({ root }).look(20, new Map([[4242, 'r']]));
  assert.deepEqual(view.processes, []);
  assert.equal(view.nodes.length, 4);
  assert.ok(!Number.isNaN(Date.parse(view.time)));
});
