import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gonePid, lines, numapol, sleeper, STACK_LINE } from './helpers.js';
import { expandRanges as expand } from '../helpers/expand-ranges.js';

function statusField(pid: number, name: string): string {
  return new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!.trim();
}

test('show PID of a sleeping child: its one thread, policy default, cpuset and memory', async (t) => {
  const s = sleeper();
  t.after(s.stop);
  // Wait until the child has exec'd sleep (comm changes from node's fork).
  for (let i = 0; i < 200 && readFileSync(`/proc/${s.pid}/comm`, 'utf8').trim() !== 'sleep'; i++) await new Promise((r) => setTimeout(r, 10));
  const r = numapol(['show', String(s.pid)]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, new RegExp(`^pid ${s.pid} \\(sleep\\), state S, 1 thread$`, 'm'));
  assert.match(r.stdout, new RegExp(`^\\s*${s.pid}\\s+sleep\\s+default$`, 'm'));
  assert.match(r.stdout, /^memory per node:$/m);

  const j = numapol(['show', String(s.pid), '--json']);
  assert.equal(j.status, 0, j.stderr);
  const data = JSON.parse(j.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(data).sort(), ['cpuset', 'memory', 'name', 'pid', 'state', 'threads', 'totalBytes']);
  assert.equal(data['pid'], s.pid);
  assert.equal(data['name'], 'sleep');
  assert.equal(data['state'], 'S');
  const threads = data['threads'] as { tid: number; name: string; policyText: string; policy: { mode: string }; source: string }[];
  assert.equal(threads.length, 1);
  assert.deepEqual(
    { tid: threads[0]!.tid, name: threads[0]!.name, policyText: threads[0]!.policyText, mode: threads[0]!.policy.mode, source: threads[0]!.source },
    { tid: s.pid, name: 'sleep', policyText: 'default', mode: 'default', source: 'numa_maps' },
  );
  const cpuset = data['cpuset'] as { mems: number[]; cpus: number[] };
  assert.deepEqual(cpuset.mems, expand(statusField(s.pid, 'Mems_allowed_list')));
  assert.deepEqual(cpuset.cpus, expand(statusField(s.pid, 'Cpus_allowed_list')));
  const memory = data['memory'] as Record<string, number>[];
  assert.ok(memory.length >= 1);
  for (const m of memory) {
    assert.deepEqual(Object.keys(m).sort(), ['anonBytes', 'fileBytes', 'heapBytes', 'hugeBytes', 'node', 'stackBytes', 'totalBytes']);
    assert.equal(m['anonBytes']! + m['fileBytes']!, m['totalBytes']);
  }
  // Resident memory as numa_maps shows it is close to VmRSS (same pages, counted differently for shared ones).
  const rssKiB = Number(statusField(s.pid, 'VmRSS').split(/\s+/)[0]);
  assert.ok((data['totalBytes'] as number) > 0);
  assert.ok((data['totalBytes'] as number) <= rssKiB * 1024 * 2 + 1048576, `total ${String(data['totalBytes'])} vs VmRSS ${rssKiB} kB`);
});

test('show of a multi-threaded process lists every thread (this test runner)', () => {
  const tids = readFileSync(`/proc/${process.pid}/status`, 'utf8').match(/^Threads:\s*(\d+)/m)![1];
  const r = numapol(['show', String(process.pid), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const data = JSON.parse(r.stdout) as { threads: { tid: number }[] };
  // Threads may come and go between the two reads (libuv pool); node starts several.
  assert.ok(data.threads.length > 1);
  assert.ok(Math.abs(data.threads.length - Number(tids)) <= 4, `${data.threads.length} vs ${tids}`);
  assert.ok(data.threads.some((t) => t.tid === process.pid));
});

test('show of a gone pid: "pid N is gone", exit 1, no stack', () => {
  const pid = gonePid();
  const r = numapol(['show', String(pid)]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.deepEqual(lines(r.stderr), [`numapol: pid ${pid} is gone`]);
  assert.doesNotMatch(r.stderr, STACK_LINE);
  const d = numapol(['show', String(pid), '--debug']);
  assert.equal(d.status, 1);
  assert.equal(lines(d.stderr)[0], `numapol: pid ${pid} is gone`);
  assert.match(d.stderr, STACK_LINE);
});
