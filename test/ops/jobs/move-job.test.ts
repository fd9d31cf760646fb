// A job move on this machine (whatever its nodes): a job of four processes moved onto the nodes it
// is on already changes nothing, yet goes through every step (policies read in one stop per
// process, CPUs, pages surveyed) and records what undo needs. Moves between nodes are tested in
// the 4-node guest (test/vm/job-move.test.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NumapolError, UsageError } from '../../../src/errors.js';
import { parseRangeList } from '../../../src/kernel/range-list.js';
import { jobNodes } from '../../../src/ops/jobs/job-nodes.js';
import { moveJob } from '../../../src/ops/jobs/move-job.js';
import { undoJobMove } from '../../../src/ops/jobs/undo-job-move.js';
import { setRangePolicy } from '../../../src/ops/set-range-policy.js';
import { startJobTarget } from '../../targets/job-target.js';
import { taskPolicyWord, vmaPolicyWord } from '../policy-test-helpers.js';

const online = parseRangeList(readFileSync('/sys/devices/system/node/online', 'utf8')) ?? [0];
const node = online[0]!;
const skip = process.geteuid?.() === 0 ? false : 'needs root (ptrace of the job, pagemap frames)';

test('a job moved onto its own node: every step runs, nothing changes, undo puts back the same', { skip }, async () => {
  const dir = mkdtempSync('/dev/shm/numapol-job-');
  const t = await startJobTarget({ processes: 4, sharedMiB: 1, fileMiB: 1, cowMiB: 1, ownMiB: 1, file: join(dir, 'data'), options: ['nothp'], wrap: ['numactl', `--interleave=${node}`] });
  try {
    const members = t.pids.map((pid) => ({ pid }));
    const own = t.own.get(t.pids[1]!)!;
    setRangePolicy(t.pids[1]!, `bind=${node}`, { range: { start: own.addr, end: own.addr + own.len } });
    const nodes = jobNodes(members);
    assert.deepEqual(nodes.gone, []);
    assert.ok(nodes.memory.includes(node) && nodes.policy.includes(node), JSON.stringify(nodes));
    assert.deepEqual(nodes.nodes, nodes.policy, 'FROM defaults to the nodes its policies name');

    const dry = await moveJob(members, { to: [node], from: [node], dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.equal(dry.before, undefined);

    const r = await moveJob(members, { to: String(node), from: String(node) });
    assert.equal(r.method, 'move_pages');
    assert.deepEqual(r.map, []);
    assert.equal(r.tally.moved, 0);
    assert.equal(r.entries.calls, 0);
    assert.equal(r.members.length, 4);
    for (const m of r.members) {
      assert.equal(m.gone, false);
      assert.ok(m.policies !== undefined && m.policies.stop !== undefined, 'the policies were read in a stop of the process');
      for (const th of m.policies.threads) assert.equal(th.after, th.before);
      for (const a of m.affinity) assert.deepEqual(a.after, a.before);
    }
    const second = r.members.find((m) => m.pid === t.pids[1])!;
    assert.deepEqual(second.policies!.vmas.map((v) => [v.start, v.before]), [[`0x${own.addr.toString(16)}`, `bind:${node}`]], 'its VMA policy, read exactly');
    assert.ok(r.before !== undefined && r.before.members.length === 4);
    assert.equal(r.before.members[1]!.policies!.vmas[0]!.policy, `bind:${node}`);

    const u = await undoJobMove(r.before);
    assert.deepEqual(u.failures, []);
    assert.equal(u.tally.moved, 0);
    assert.equal(taskPolicyWord(t.pids[0]!, t.pids[0]!), `interleave:${node}`);
    assert.equal(vmaPolicyWord(t.pids[1]!, own.addr), `bind:${node}`);
    assert.match(await t.verify(), /^verify ok/);
    await t.quit();
  } finally {
    t.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refusals before anything changes: no process, nodes that do not exist, TO smaller than FROM', async () => {
  await assert.rejects(moveJob([], { to: [node] }), (e: unknown) => e instanceof UsageError && /no process/.test(e.message));
  await assert.rejects(moveJob([{ pid: process.pid }], { to: [999] }), (e: unknown) => e instanceof NumapolError && e.usage);
  if (online.length >= 2) {
    await assert.rejects(moveJob([{ pid: process.pid }], { from: online, to: online.slice(1) }), (e: unknown) => e instanceof UsageError && /each node needs a partner/.test(e.message));
  }
});
