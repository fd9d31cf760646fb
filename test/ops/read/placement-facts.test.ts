// What placement measures of one process, from one read of each file: a hand-written /proc
// (figures worked out by hand), and this test's own process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { placementFacts } from '../../../src/ops/read/placement-facts.js';
import { processStart } from '../../../src/ops/read/process-facts.js';
import { ProcessGoneError } from '../../../src/errors.js';

/** A /proc/PID/stat line: fields 3-52, with those placement reads set. */
function statLine(pid: number, f: { start: number; cpu: number; utime: number; stime: number; threads: number; rss: number }): string {
  const fields: (string | number)[] = Array.from({ length: 50 }, () => 0);
  const at = (n: number, v: string | number): void => {
    fields[n - 3] = v;
  };
  at(3, 'R');
  at(14, f.utime);
  at(15, f.stime);
  at(20, f.threads);
  at(22, f.start);
  at(24, f.rss);
  at(39, f.cpu);
  return `${pid} (solver) ${fields.join(' ')}\n`;
}

function fakeProcess(): string {
  const root = mkdtempSync(join(tmpdir(), 'numapol-facts-'));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'proc/77');
  const threads = { 77: { cpu: 0, utime: 100, stime: 20 }, 78: { cpu: 3, utime: 500, stime: 0 } };
  mkdirSync(join(dir, 'task'), { recursive: true });
  writeFileSync(join(dir, 'stat'), statLine(77, { start: 9999, cpu: 0, utime: 600, stime: 20, threads: 2, rss: 300 }));
  for (const [tid, t] of Object.entries(threads)) {
    mkdirSync(join(dir, 'task', tid));
    writeFileSync(join(dir, 'task', tid, 'stat'), statLine(Number(tid), { start: 9999, threads: 2, rss: 300, ...t }));
  }
  // Two VMAs under the task policy (bind:1-2), one with its own (interleave); a 2 MiB huge page VMA.
  writeFileSync(
    join(dir, 'numa_maps'),
    [
      '7f0000000000 bind:1-2 anon=100 dirty=100 N1=60 N2=40 kernelpagesize_kB=4',
      '7f1000000000 bind:1-2 anon=10 dirty=10 N2=10 kernelpagesize_kB=4',
      '7f2000000000 interleave:0-3 anon=8 dirty=8 N0=2 N1=2 N2=2 N3=2 kernelpagesize_kB=4',
      '7f3000000000 bind:1-2 file=/dev/hugepages/x huge dirty=1 N1=1 kernelpagesize_kB=2048',
    ].join('\n') + '\n',
  );
  return root;
}

test('bytes per node, each thread on its last CPU with its ticks, and the task policy by vote', () => {
  const root = fakeProcess();
  const f = placementFacts(77, { root, cpuToNode: { 0: 0, 1: 1, 2: 2, 3: 3 } });
  assert.equal(f.start, 9999);
  assert.equal(f.comm, 'solver');
  assert.equal(f.threadCount, 2);
  const KiB = 1024;
  assert.deepEqual(f.bytesPerNode, { 0: 2 * 4 * KiB, 1: (60 + 2) * 4 * KiB + 2048 * KiB, 2: (40 + 10 + 2) * 4 * KiB, 3: 2 * 4 * KiB });
  assert.equal(f.totalBytes, (2 + 62 + 52 + 2) * 4 * KiB + 2048 * KiB);
  assert.deepEqual(
    f.threads.map((t) => [t.tid, t.cpu, t.node, t.ticks]),
    [
      [77, 0, 0, 120],
      [78, 3, 3, 500],
    ],
  );
  assert.equal(f.policyText, 'bind:1-2', 'three VMAs show the task policy, one its own');
});

test('maxThreads bounds the thread reads', () => {
  const f = placementFacts(77, { root: fakeProcess(), cpuToNode: { 0: 0, 3: 3 }, maxThreads: 1 });
  assert.deepEqual(f.threads.map((t) => t.tid), [77]);
  assert.equal(f.threadCount, 2, 'the count is still the kernel’s');
});

test('this process: its identity, threads and memory', () => {
  const f = placementFacts(process.pid, { cpuToNode: {} });
  assert.equal(f.start, processStart(process.pid));
  assert.ok(f.threads.length >= 1 && f.threads.some((t) => t.tid === process.pid));
  assert.ok(f.totalBytes > 0);
  assert.equal(
    Object.values(f.bytesPerNode).reduce((a, b) => a + b, 0),
    f.totalBytes,
  );
});

test('a pid that does not exist is gone', () => {
  assert.throws(() => placementFacts(77, { root: mkdtempSync(join(tmpdir(), 'numapol-empty-')), cpuToNode: {} }), ProcessGoneError);
});
