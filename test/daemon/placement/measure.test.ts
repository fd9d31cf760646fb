// The sampler on this host, on a real busy process: a C target that touches 64 MiB and spins one
// thread. Its CPU use is measured between two looks and counted on the node of the CPU its
// threads last ran on; its memory per node is what numa_maps says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdirSync, readFileSync } from 'node:fs';
import { PlacementSampler, decide, newPlacementState } from '../../../src/daemon/placement/index.js';
import { parseStat } from '../../../src/procfs/stat.js';
import { targetStarter } from '../../targets/target.js';
import { exited } from '../../helpers/proc-state.js';

const start = targetStarter();
const MiB = 1024 * 1024;
/** /proc's CPU times are in USER_HZ = 100 ticks a second. */
const TICK = 0.01;

/** utime + stime of all the threads of `pid`, in ticks. */
function ticks(pid: number): number {
  let sum = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const s = parseStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
    sum += s.utime + s.stime;
  }
  return sum;
}

/** Waits until `pid` has used `n` more ticks of CPU: a measured interval, however loaded the machine. */
async function burn(pid: number, n: number): Promise<void> {
  const from = ticks(pid);
  while (ticks(pid) - from < n) await new Promise((r) => setTimeout(r, 20));
}

test('a spinning process: its CPU per node, its bytes per node, its cpuset, at the second look', async () => {
  const t = await start(['mib=64'], 'spinner');
  const sampler = new PlacementSampler();
  const first = sampler.sample([t.pid]);
  assert.equal(first.measured, false);
  const p1 = first.processes[0]!;
  assert.equal(p1.pid, t.pid);
  assert.equal(p1.cpuMeasured, false, 'CPU use needs two looks');
  assert.equal(p1.cpuUsed, 0);

  await burn(t.pid, 20);
  const second = sampler.sample([t.pid]);
  assert.equal(second.measured, true);
  assert.ok(second.seconds > 0);
  const p = second.processes[0]!;
  assert.equal(p.cpuMeasured, true);
  assert.equal(p.threads, 2);
  const nodes = second.machine.nodes.map((n) => n.node);

  // CPU: busy, at most the one spinning thread's CPU (plus tick rounding), all on nodes of this machine.
  assert.ok(p.cpuUsed > 0, `cpu ${p.cpuUsed}`);
  const interval = second.seconds;
  assert.ok(p.cpuUsed <= 1 + (2 * TICK) / interval + 0.05, `${p.cpuUsed} CPUs used by one spinning thread over ${interval} s`);
  const perNode = Object.entries(p.cpuPerNode);
  assert.ok(perNode.length >= 1);
  for (const [n] of perNode) assert.ok(nodes.includes(Number(n)));
  assert.ok(Math.abs(perNode.reduce((s, [, c]) => s + c, 0) - p.cpuUsed) < 1e-9);
  for (const [n, k] of Object.entries(p.threadsPerNode)) assert.ok(nodes.includes(Number(n)) && k >= 1);
  // Wanted CPU (use plus run-queue wait, from schedstat where the kernel keeps it): never less
  // than the use, never more than a CPU per thread.
  if (existsSync(`/proc/${t.pid}/schedstat`)) {
    assert.ok(p.cpuWanted !== undefined, 'schedstat is there: the wait is measured');
    assert.ok(p.cpuWanted >= p.cpuUsed && p.cpuWanted <= p.threads + 1e-9, `wanted ${p.cpuWanted}, used ${p.cpuUsed}`);
  }

  // Memory: the 64 MiB it touched, on this machine's nodes.
  assert.ok(p.totalBytes >= 64 * MiB, `${p.totalBytes} bytes`);
  assert.equal(Object.values(p.bytesPerNode).reduce((a, b) => a + b, 0), p.totalBytes);
  for (const n of Object.keys(p.bytesPerNode)) assert.ok(nodes.includes(Number(n)));

  // Where it may go, and its policy.
  assert.ok(p.cpuset.mems.length >= 1 && p.cpuset.mems.every((n) => nodes.includes(n)));
  const cpus = second.machine.nodes.flatMap((n) => n.cpus);
  assert.ok(p.cpuset.cpus.every((c) => cpus.includes(c)));
  assert.ok((p.affinity ?? []).every((c) => p.cpuset.cpus.includes(c)));
  assert.equal(p.policy.mode, 'default');

  // The machine: idle CPU per node within its CPUs, memory within its total.
  for (const n of second.machine.nodes) {
    assert.ok(n.idleCpus >= 0 && n.idleCpus <= n.cpus.length, `node ${n.node} idle ${n.idleCpus}`);
    assert.ok(n.memFreeBytes <= n.memTotalBytes);
  }
  assert.ok(['off', 'normal', 'tiering', 'normal+tiering', 'unsupported'].includes(second.balancing.mode));

  // End to end: where its memory and CPU are the same node(s), it is local and stays.
  const d = decide(second.processes, second.machine, { minBytes: 16 * MiB, minCpu: 0 }, newPlacementState(), 0).decisions[0]!;
  if (nodes.length === 1) assert.equal(d.why, 'already-local');
  assert.equal(d.act, nodes.length > 1 ? d.act : false);

  const r = await t.finish();
  assert.equal(r.counters.bad, 0);
  assert.ok(r.counters.spins! > 0);
});

test('processes that are gone are reported, not sampled; a pid asked twice is sampled once', async () => {
  const t = await start(['mib=1'], 'spinner');
  const sampler = new PlacementSampler();
  const s = sampler.sample([t.pid, t.pid, 999_999_999]);
  assert.deepEqual(s.processes.map((p) => p.pid), [t.pid], `unreadable: ${JSON.stringify(s.unreadable)}`);
  assert.deepEqual(s.gone, [999_999_999]);
  // Once it has exited it is gone, whether its parent has reaped it yet (a zombie) or not.
  // (finish() returns when the target has said it is done, which is before it has exited.)
  await t.finish();
  for (let i = 0; i < 6000 && !exited(t.child); i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(sampler.sample([t.pid]).gone, [t.pid]);
  if (t.alive()) await new Promise((r) => t.child.once('exit', r));
  const after = sampler.sample([t.pid]);
  assert.deepEqual(after.gone, [t.pid]);
  assert.deepEqual(after.processes, []);
});
