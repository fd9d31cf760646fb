// Whole-job moves in the 4-node test bed (the goals): four processes sharing memory move
// from nodes 0-1 to 2-3 with every page on its partner node and each shared page handed to
// move_pages once; two processes bound to nodes 0 and 1 end bound to 2 and 3; a paced move keeps
// its rate and its step bound; a cgroup job moves by its cpuset.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { schedGetaffinity } from '../../src/kernel/index.js';
import { parseRangeList } from '../../src/kernel/range-list.js';
import { exactThreadPolicies } from '../../src/ops/exact-policy.js';
import { moveJob } from '../../src/ops/jobs/move-job.js';
import { undoJobMove } from '../../src/ops/jobs/undo-job-move.js';
import { listThreads } from '../../src/procfs/tasks.js';
import { jobPlacement, nodesOf, pagesOffTarget, startJobTarget, type JobTarget, type Region } from '../targets/job-target.js';
import { CGROUP, cpusetCgroups, nodeCpus, removeCgroup } from '../helpers/cgroup.js';
import { topologyFromEnv } from './harness/topology.js';

const topology = topologyFromEnv();
const skip = !topology ? 'not inside the test bed (NUMAPOL_VM_TOPOLOGY unset)' : topology.nodes.length < 4 ? 'needs 4 nodes' : false;
const PAGE = 4096;
const partner = new Map([[0, 2], [1, 3]]);

const placement = jobPlacement;
const offPartner = pagesOffTarget;

function onSources(before: Map<string, Int32Array>): void {
  for (const [name, b] of before) assert.ok(b.every((n) => n === 0 || n === 1), `${name}: every page on node 0 or 1 before the move`);
}

/** The regions every process maps, as address ranges of the first process (the same in all: inherited). */
function sharedRegions(t: JobTarget): [string, Region][] {
  return [['shared', t.shared], ['file', t.file], ['cow', t.cow]];
}

test('four processes sharing memory move from 0-1 to 2-3: every page on its partner, each shared page moved once', { skip }, async () => {
  const dir = mkdtempSync('/dev/shm/numapol-job-');
  const t = await startJobTarget({ processes: 4, sharedMiB: 16, fileMiB: 16, cowMiB: 16, ownMiB: 8, file: join(dir, 'data'), options: ['nothp'], wrap: ['numactl', '--interleave=0,1'] });
  try {
    const before = placement(t);
    onSources(before);
    // Which member handed which page of the shared regions to move_pages, first attempts only.
    const moves = new Map<string, Map<number, number>>(sharedRegions(t).map(([name]) => [name, new Map()]));
    const r = await moveJob(t.pids.map((pid) => ({ pid })), {
      from: [0, 1],
      to: [2, 3],
      onMoveCall: (_pid, addrs, _dest, retry) => {
        if (retry) return;
        for (const a of addrs) {
          for (const [name, reg] of sharedRegions(t)) {
            if (a >= reg.addr && a < reg.addr + reg.len) {
              const m = moves.get(name)!;
              const page = Number((a - reg.addr) / BigInt(PAGE));
              m.set(page, (m.get(page) ?? 0) + 1);
            }
          }
        }
      },
    });
    assert.deepEqual(r.map, [{ from: 0, to: 2 }, { from: 1, to: 3 }]);
    assert.equal(r.method, 'move_pages');
    assert.equal(r.shared.identity, 'frame');
    // Relative placement: each page on its partner node.
    const off = offPartner(t, before, (n) => partner.get(n)!);
    assert.ok(off.wrong <= r.notMoved && r.notMoved <= 4, `pages not on their partner: ${off.where}; the report says ${r.notMoved} stayed`);
    // Each shared page once: exactly one move_pages entry for each page of the shared regions.
    for (const [name, reg] of sharedRegions(t)) {
      const m = moves.get(name)!;
      const pages = Number(reg.len) / PAGE;
      assert.equal(m.size, pages, `${name}: every page handed to move_pages`);
      const twice = [...m.values()].filter((c) => c > 1).length;
      assert.equal(twice, 0, `${name}: ${twice} pages handed to move_pages more than once`);
    }
    assert.equal(r.entries.byMapping['/dev/zero'], Number(t.shared.len) / PAGE, 'the shared anonymous region by mapping name');
    assert.equal(r.entries.byMapping[join(dir, 'data')], Number(t.file.len) / PAGE, 'the tmpfs file by mapping name');
    assert.ok(r.shared.pages >= Number(t.shared.len + t.file.len + t.cow.len) / PAGE);
    // Policies and CPUs followed: interleave:0-1 → 2-3 in every thread; CPUs of nodes 0-1 → 2-3.
    const cpus23 = [...nodeCpus(2), ...nodeCpus(3)].sort((a, b) => a - b);
    for (const pid of t.pids) {
      for (const p of exactThreadPolicies(pid)) assert.equal(p.policyText, 'interleave:2-3', `pid ${pid} tid ${p.tid}`);
      for (const tid of listThreads(pid)) assert.deepEqual(schedGetaffinity(tid), cpus23, `pid ${pid} tid ${tid} runs on nodes 2-3's CPUs`);
    }
    assert.match(await t.verify(), /^verify ok/);

    // Undo: policies, CPUs and every page back where it was.
    const u = await undoJobMove(r.before!);
    assert.deepEqual(u.failures, []);
    const back = offPartner(t, before, (n) => n);
    assert.ok(back.wrong <= u.notRestored && u.notRestored <= 4, `pages not back: ${back.where}; the undo says ${u.notRestored}`);
    for (const pid of t.pids) for (const p of exactThreadPolicies(pid)) assert.equal(p.policyText, 'interleave:0-1');
    assert.match(await t.verify(), /^verify ok/);
    await t.quit();
  } finally {
    t.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two processes of one job, bound to node 0 and to node 1, end bound to 2 and 3 with their pages there', { skip }, async () => {
  const dir = mkdtempSync('/dev/shm/numapol-job-');
  const t = await startJobTarget({ processes: 2, sharedMiB: 4, fileMiB: 4, cowMiB: 4, ownMiB: 16, file: join(dir, 'data'), options: ['bind-alternate', 'nothp'] });
  try {
    const [p0, p1] = t.pids as [number, number];
    const before = placement(t);
    assert.ok(nodesOf(p0, t.own.get(p0)!).every((n) => n === 0) && nodesOf(p1, t.own.get(p1)!).every((n) => n === 1), 'bound before: own pages on 0 and 1');
    const r = await moveJob([{ pid: p0 }, { pid: p1 }], { to: '2-3' });
    assert.deepEqual(r.from, [0, 1], 'FROM defaults to the nodes the job uses (its bind policies and CPUs)');
    const off = offPartner(t, before, (n) => partner.get(n)!);
    assert.ok(off.wrong <= r.notMoved && r.notMoved <= 4, `pages not on their partner: ${off.where}`);
    assert.ok(nodesOf(p0, t.own.get(p0)!).filter((n) => n !== 2).length <= r.notMoved);
    assert.ok(nodesOf(p1, t.own.get(p1)!).filter((n) => n !== 3).length <= r.notMoved);
    for (const [pid, node] of [[p0, 2], [p1, 3]] as const) {
      for (const p of exactThreadPolicies(pid)) assert.equal(p.policyText, `bind:${node}`, `pid ${pid} tid ${p.tid}`);
      for (const tid of listThreads(pid)) assert.deepEqual(schedGetaffinity(tid), nodeCpus(node), `pid ${pid} tid ${tid} on node ${node}'s CPUs`);
    }
    const m0 = r.members.find((m) => m.pid === p0)!;
    assert.deepEqual(m0.policies?.threads.map((x) => [x.before, x.after]), [['bind:0', 'bind:2']]);
    assert.match(await t.verify(), /^verify ok/);

    const u = await undoJobMove(r.before!);
    assert.deepEqual(u.failures, []);
    for (const [pid, node] of [[p0, 0], [p1, 1]] as const) {
      for (const p of exactThreadPolicies(pid)) assert.equal(p.policyText, `bind:${node}`);
      for (const tid of listThreads(pid)) assert.deepEqual(schedGetaffinity(tid), nodeCpus(node));
    }
    const back = offPartner(t, before, (n) => n);
    assert.ok(back.wrong <= u.notRestored && u.notRestored <= 4, `pages not back: ${back.where}`);
    assert.match(await t.verify(), /^verify ok/);
    await t.quit();
  } finally {
    t.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pacing: 256 MiB at 50 MB/s takes at least 5.1 s, in steps of at most 10 ms worth of bytes', { skip }, async (tc) => {
  const dir = mkdtempSync('/dev/shm/numapol-job-');
  // 64 MiB each of shared anonymous, tmpfs and copy-on-write memory, and 32 MiB of its own in
  // each of two processes: 256 MiB of distinct pages, the shared ones counted once.
  const t = await startJobTarget({ processes: 2, sharedMiB: 64, fileMiB: 64, cowMiB: 64, ownMiB: 32, file: join(dir, 'data'), options: ['nothp'], wrap: ['numactl', '--interleave=0,1'] });
  try {
    const rate = 50e6;
    const r = await moveJob(t.pids.map((pid) => ({ pid })), { from: [0, 1], to: [2, 3], rateBytesPerSecond: rate });
    const region = (64 * 3 + 32 * 2) * 1048576;
    assert.ok(r.bytesMoved >= region - r.notMoved * PAGE, `${r.bytesMoved} bytes moved, the job has ${region} in its regions`);
    // The pacer's bound: each step moves at most rate × 10 ms (122 pages of 4 KiB at 50 MB/s).
    assert.equal(r.batchPages, Math.floor((rate * 0.01) / PAGE));
    assert.ok(r.largestStepBytes <= r.batchPages * PAGE, `largest step ${r.largestStepBytes} bytes`);
    // The rate is a ceiling on the whole move: 256 MiB at 50 MB/s is 5.37 s.
    assert.ok(r.durationMs >= 5100, `moved in ${r.durationMs.toFixed(0)} ms`);
    assert.ok(r.durationMs >= (r.bytesMoved / rate) * 1000, 'never faster than the rate');
    tc.diagnostic(`256 MiB at 50 MB/s: ${r.durationMs.toFixed(0)} ms, ${r.steps} steps of at most ${r.batchPages} pages, longest ${r.longestStepMs.toFixed(1)} ms, slept ${r.sleptMs.toFixed(0)} ms`);
    assert.match(await t.verify(), /^verify ok/);
    await t.quit();
  } finally {
    t.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cgroup job moves by cpuset.mems: the kernel puts every page on its partner, undo writes the cpuset back', { skip }, async () => {
  assert.equal(cpusetCgroups(), undefined, 'cgroup2 with cpuset');
  const name = `numapol-job-${process.pid}`;
  const cg = join(CGROUP, name);
  mkdirSync(cg);
  const dir = mkdtempSync('/dev/shm/numapol-job-');
  let t: JobTarget | undefined;
  try {
    writeFileSync(join(cg, 'cpuset.cpus'), [...nodeCpus(0), ...nodeCpus(1)].join(','));
    writeFileSync(join(cg, 'cpuset.mems'), '0-1');
    t = await startJobTarget({
      processes: 4,
      sharedMiB: 8,
      fileMiB: 8,
      cowMiB: 8,
      ownMiB: 8,
      file: join(dir, 'data'),
      options: ['nothp'],
      wrap: ['sh', '-c', `echo $$ > ${join(cg, 'cgroup.procs')} && exec "$0" "$@"`],
    });
    const before = placement(t);
    onSources(before);
    const r = await moveJob([], { cgroup: `/${name}`, to: [2, 3] });
    assert.equal(r.method, 'cpuset');
    assert.deepEqual(r.members.map((m) => m.pid).sort((a, b) => a - b), [...t.pids].sort((a, b) => a - b), 'the members are the cgroup\'s processes');
    assert.equal(r.cgroup?.mems.after, '2-3');
    assert.equal(readFileSync(join(cg, 'cpuset.mems.effective'), 'utf8').trim(), '2-3');
    assert.deepEqual(parseRangeList(readFileSync(join(cg, 'cpuset.cpus.effective'), 'utf8')), [...nodeCpus(2), ...nodeCpus(3)].sort((a, b) => a - b));
    const off = offPartner(t, before, (n) => partner.get(n)!);
    assert.ok(off.wrong <= 4, `pages not on their partner: ${off.where}`);
    assert.ok(r.tally.moved >= Number(t.shared.len + t.file.len + t.cow.len) / PAGE + 4 * 2048 - 4, `${r.tally.moved} pages moved, each shared one counted once`);
    assert.match(await t.verify(), /^verify ok/);

    const u = await undoJobMove(r.before!);
    assert.deepEqual(u.failures, []);
    assert.equal(readFileSync(join(cg, 'cpuset.mems.effective'), 'utf8').trim(), '0-1');
    const back = offPartner(t, before, (n) => n);
    assert.ok(back.wrong <= 4, `pages not back: ${back.where}`);
    assert.match(await t.verify(), /^verify ok/);
    await t.quit();
  } finally {
    t?.kill();
    await new Promise((r) => setTimeout(r, 200));
    rmSync(dir, { recursive: true, force: true });
    await removeCgroup(cg);
  }
});
