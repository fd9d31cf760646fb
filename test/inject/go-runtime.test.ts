/**
 * A real Go program (test/targets/goroutines.go, built with Debian's Go): a static binary with
 * no libc, goroutine stacks small, carved from heap spans and packed side by side, growing,
 * moving and shrinking under the garbage collector, busy goroutines preempted with SIGURG. The
 * issue warns that writing below the stack pointer is unsafe for such stacks: the engine never
 * does (argument memory lives in the park region it leaves in the process), and the park code
 * touches a thread's stack only if numapol dies (a 40-byte frame below the red zone, see
 * x86_64-park.ts). The runtime handles every signal, so threads park with SIGURG (park-signal.ts).
 * Each goroutine checks every frame of its own stack after each park, and the runtime dies
 * loudly on a bad stack, signal or register.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { exactThreadPolicies } from '../../src/ops/exact-policy.js';
import { setProcessPolicy } from '../../src/ops/set-policy.js';
import { targetStarter, type Target, type TargetResults } from '../targets/target.js';
import { MPOL_BIND } from './helpers.js';

const start = targetStarter('go');

function tids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map(Number);
}

/** Every thread's policy, asked of each thread with an injected get_mempolicy. */
function policies(pid: number): string[] {
  return [...new Set(exactThreadPolicies(pid).map((p) => p.policyText))];
}

/** The target's own verdict: nothing it checked changed, the runtime collected, threads see bind:0. */
async function verdict(t: Target, threads: number): Promise<TargetResults> {
  const r = await t.finish();
  const seen = `${JSON.stringify(r.counters)}\n${t.output().split('\n').filter((l) => /fatal|panic|SIG|goroutine /.test(l)).slice(0, 5).join('\n')}`;
  assert.equal(r.counters.bad, 0, seen);
  assert.equal(r.counters.surprises, 0, seen);
  assert.ok((r.counters.checks ?? 0) > 1000, seen);
  assert.ok((r.counters.gcs ?? 0) > 0, `the garbage collector ran: ${seen}`);
  assert.equal(r.threads.length, threads, seen);
  for (const th of r.threads) assert.deepEqual([th.mode, th.mask], [MPOL_BIND, 1n], `thread ${th.tid} sees its own policy as bind:0`);
  return r;
}

describe('a Go program (goroutines on small packed stacks, a moving garbage collector, SIGURG preemption)', () => {
  it('one thread at a time: 150 changes, no goroutine frame touched, no mapping made or removed after the first', async () => {
    const t = await start(['locked=3']);
    const threads = tids(t.pid);
    let plain = 0;
    for (let i = 0; i < 150; i++) {
      const tid = threads[i % threads.length]!;
      const r = setProcessPolicy(t.pid, i % 2 ? 'default' : 'bind=0', { threads: [tid] });
      assert.deepEqual(r.threads.map((c) => [c.tid, c.after]), [[tid, i % 2 ? 'default' : 'bind:0']]);
      // Read before, set, read back: three calls and nothing else once the park region exists.
      if (r.stop?.injections === 3) plain++;
    }
    assert.equal(plain, 149, `${plain} of 150 changes made three calls and nothing else`);
    setProcessPolicy(t.pid, 'bind=0');
    assert.deepEqual(policies(t.pid), ['bind:0']);
    await verdict(t, 3);
  });

  it('every thread at once, few threads and many: 200 flips each, read back by each thread', async () => {
    for (const locked of [3, 40]) {
      const t = await start([`locked=${locked}`]);
      for (let i = 0; i < 200; i++) {
        const policy = i % 2 ? 'default' : 'bind=0';
        const r = setProcessPolicy(t.pid, policy);
        assert.ok(r.threads.length >= locked, `${r.threads.length} threads changed`);
        if (i % 40 === 0) assert.deepEqual(policies(t.pid), [policy === 'default' ? 'default' : 'bind:0']);
      }
      setProcessPolicy(t.pid, 'bind=0');
      await verdict(t, locked);
    }
  });
});
