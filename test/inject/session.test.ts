import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { processVmRead } from '../../src/kernel/remote-memory.js';
import { withStoppedProcess, type SessionStats } from '../../src/inject/index.js';
import { targetStarter } from '../targets/target.js';
import { bindAllToNode0, MPOL_BIND, resetAll, sleep, threadPolicyWord, tracerOf } from './helpers.js';

const start = targetStarter();
const show = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

describe('withStoppedProcess', () => {
  it('runs gettid in each thread and gets that thread\'s id back', async () => {
    const t = await start(['futex=3', 'busy=1']);
    const results = withStoppedProcess(t.pid, {}, (s) => {
      assert.deepEqual([...s.threads].sort(), readdirSync(`/proc/${t.pid}/task`).map(Number).sort());
      return s.threads.map((tid) => [tid, s.remoteSyscall(tid, 'gettid', [])] as const);
    });
    assert.ok(results.length >= 6);
    for (const [tid, r] of results) assert.deepEqual(r, { ok: true, value: BigInt(tid) });
    assert.equal(tracerOf(t.pid), 0);
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.equal(counters.busy_bad, 0);
  });

  it('sets MPOL_BIND in every thread through scratch memory, visible in numa_maps, then restores default', async () => {
    const t = await start(['futex=2', 'read=1', 'sleep=1', 'busy=1']);
    let tids: readonly number[] = [];
    let mappedAt = 0n;
    let stats: SessionStats | undefined;
    withStoppedProcess(t.pid, { onStats: (st) => (stats = st) }, (s) => {
      tids = s.threads;
      assert.deepEqual(bindAllToNode0(s), []);
      // More than the park region's data pages hold: a mapping made for the operation.
      mappedAt = s.scratch(Buffer.alloc(20000, 1));
      assert.equal(s.readMemory(mappedAt + 19999n, 1)[0], 1);
      assert.equal(processVmRead(t.pid, mappedAt, 1)[0], 1);
    });
    for (const tid of tids) assert.equal(threadPolicyWord(t.pid, tid), 'bind:0', `thread ${tid}`);
    // One set_mempolicy per thread; the park region's mmap and the batch that seals it (the
    // first operation on this process); the extra mapping's mmap and munmap.
    assert.equal(stats?.regionMade, true);
    assert.equal(stats?.injections, tids.length + 4 + 2);
    // The mapping made for the operation is gone again.
    assert.throws(() => processVmRead(t.pid, mappedAt, 1), { errnoName: 'EFAULT' });
    withStoppedProcess(t.pid, {}, (s) => resetAll(s));
    for (const tid of tids) assert.equal(threadPolicyWord(t.pid, tid), 'default', `thread ${tid}`);
    const { counters, threads } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.ok(threads.every((r) => r.mode === 0), 'every thread reports the default policy after the reset');
  });

  it('reports the target errno as a value, not an exception', async () => {
    const t = await start(['futex=1']);
    const r = withStoppedProcess(t.pid, {}, (s) => s.remoteSyscall(s.threads[0] as number, 'set_mempolicy', [99, 0, 0]));
    assert.deepEqual(r, { ok: false, errno: 22, errnoName: 'EINVAL' });
    const mask = withStoppedProcess(t.pid, {}, (s) => {
      // get_mempolicy writes into the scratch page: read it back.
      const out = s.scratch(Buffer.alloc(16, 0xff));
      const res = s.remoteSyscall(s.threads[0] as number, 'get_mempolicy', [out, 0, 0, 0, 0]);
      assert.equal(res.ok, true);
      return s.readMemory(out, 4).readInt32LE(0);
    });
    assert.equal(mask, 0);
    await t.finish();
  });

  it('leaves blocked syscalls, sleeps, signals and computations of the target intact', async () => {
    const t = await start(['futex=2', 'read=2', 'sleep=4', 'epoll=1', 'accept=1', 'busy=2', 'signals=1']);
    await sleep(100);
    let stops = 0;
    for (let i = 0; i < 20; i++) {
      withStoppedProcess(t.pid, {}, (s) => {
        stops++;
        assert.deepEqual(bindAllToNode0(s), []);
        if (i % 2 === 1) resetAll(s);
      });
      await sleep(15);
    }
    const { counters, threads } = await t.finish();
    assert.equal(counters.surprises, 0, 'no EINTR or 512..516 leaked to the program');
    assert.equal(counters.short_sleeps, 0, 'no sleep was cut short');
    assert.equal(counters.busy_bad, 0, 'computations unchanged');
    assert.equal(counters.usr2_lost, 0, 'no signal lost');
    assert.equal(counters.usr2_sent, counters.usr2_handled);
    assert.ok((counters.sig_alrm ?? 0) > 0);
    // epoll_wait returns EINTR once per stop at most (signal(7)): documented, never more.
    assert.ok((counters.eintr_epoll ?? 0) <= stops, `eintr_epoll=${counters.eintr_epoll}`);
    assert.ok(threads.length >= 14 && threads.every((r) => r.mode === 0), 'last operation reset every thread');
  });

  it('changes a SIGSTOPped process, which stays stopped and has the policy after SIGCONT', async () => {
    const t = await start(['futex=2', 'sleep=1']);
    process.kill(t.pid, 'SIGSTOP');
    await sleep(50);
    withStoppedProcess(t.pid, {}, (s) => assert.deepEqual(bindAllToNode0(s), []));
    await sleep(50);
    assert.match(readFileSync(`/proc/${t.pid}/status`, 'utf8'), /^State:\s+T/m);
    process.kill(t.pid, 'SIGCONT');
    const { counters, threads } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.ok(threads.every((r) => r.mode === MPOL_BIND), show(threads));
  });

  it('works on the live threads of a process whose leader is a zombie', async () => {
    const t = await start(['futex=2', 'zombie=1']);
    for (let i = 0; i < 200 && !/^State:\s+Z/m.test(readFileSync(`/proc/${t.pid}/status`, 'utf8')); i++) await sleep(10);
    const skipped = withStoppedProcess(t.pid, {}, (s) => {
      assert.ok(!s.threads.includes(t.pid));
      assert.deepEqual(bindAllToNode0(s), []);
      return s.skipped;
    });
    assert.deepEqual(skipped, [{ tid: t.pid, reason: 'zombie' }]);
    const { threads } = await t.finish();
    assert.ok(threads.length >= 3 && threads.every((r) => r.mode === MPOL_BIND), show(threads));
  });

  it('keeps small argument memory in the park region it leaves in the process: no mapping made or removed after the first operation', async () => {
    const t = await start(['futex=1']);
    const pattern = Buffer.alloc(64, 0xa5);
    const once = (): { at: bigint; injections: number; made: boolean } => {
      let at = 0n;
      let stats: SessionStats | undefined;
      withStoppedProcess(t.pid, { onStats: (st) => (stats = st) }, (s) => {
        at = s.scratch(pattern);
        assert.deepEqual(s.readMemory(at, 64), pattern);
        // The kernel reads it like any memory: get_mempolicy fills an output area there.
        const out = s.scratch(Buffer.alloc(16, 0xff));
        assert.deepEqual(s.remoteSyscall(s.threads[0] as number, 'get_mempolicy', [out, 0, 0, 0, 0]), { ok: true, value: 0n });
        assert.equal(s.readMemory(out, 4).readInt32LE(0), 0);
      });
      return { at, injections: stats?.injections ?? -1, made: stats?.regionMade ?? false };
    };
    const first = once();
    assert.equal(first.made, true, 'the first operation made the region');
    const region = readFileSync(`/proc/${t.pid}/maps`, 'utf8').split('\n').filter((l) => {
      const [range] = l.split(' ');
      const [a, b] = (range ?? '').split('-').map((x) => BigInt(`0x${x || '0'}`));
      return a !== undefined && b !== undefined && a <= first.at && first.at < b;
    });
    assert.equal(region.length, 1);
    assert.match(region[0]!, / rw-p 00000000 00:00 0/, 'anonymous data pages');
    const second = once();
    assert.equal(second.made, false);
    assert.equal(second.injections, 1, 'no mmap, no munmap: only the get_mempolicy ran');
    assert.equal(second.at, first.at, 'the same region');
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
  });

  it('on small packed stacks (as goroutines have) no byte of the program\'s memory is borrowed', async () => {
    const t = await start(['smallstack=1']);
    let neighbour: bigint | undefined;
    for (let i = 0; i < 300 && neighbour === undefined; i++) {
      const m = /^smallstack 0x([0-9a-f]+)$/m.exec(t.output());
      if (m) neighbour = BigInt(`0x${m[1]}`);
      else await sleep(10);
    }
    assert.ok(neighbour !== undefined, 'the target set up its small stack');
    for (let i = 0; i < 100; i++) {
      const at = withStoppedProcess(t.pid, {}, (s) => {
        // More than the leader's own 2 KiB stack has free.
        const big = s.scratch(Buffer.alloc(2500, 0x5a));
        const out = s.scratch(Buffer.alloc(16, 0xff));
        assert.deepEqual(s.remoteSyscall(t.pid, 'get_mempolicy', [out, 0, 0, 0, 0]), { ok: true, value: 0n });
        assert.deepEqual(s.readMemory(big, 2500), Buffer.alloc(2500, 0x5a));
        return big;
      });
      assert.ok(at >= neighbour + 4096n || at + 2500n <= neighbour, 'never in the page of the small stacks');
    }
    const { counters } = await t.finish();
    assert.ok((counters.smallstack_checks ?? 0) > 0, 'the leader checked its stack and its neighbour');
    assert.equal(counters.smallstack_bad, 0, 'not one byte of either changed under it');
    assert.equal(counters.surprises, 0);
  });

  it('a thread held in vfork cannot be stopped: a clear error, and the vfork child runs on unharmed', async () => {
    const t = await start(['futex=2', 'vfork=1']);
    await sleep(50);
    assert.throws(() => withStoppedProcess(t.pid, { stopTimeoutMs: 300 }, () => 0), (e: unknown) => {
      const err = e as { code?: string; message?: string };
      return err.code === 'ETIMEDOUT' && /vfork/.test(err.message ?? '');
    });
    // The leader stays traced until vfork returns; then it stops and the retry detaches it.
    const { counters, threads } = await t.finish();
    assert.ok((counters.vfork_checks ?? 0) > 0, 'the vfork child ran');
    assert.equal(counters.vfork_bad, 0, 'the child saw its stack intact');
    assert.equal(counters.surprises, 0);
    assert.ok(threads.some((r) => r.kind === 'main'), 'the leader went on after vfork and reported');
  });

  it('reports timings', async () => {
    const t = await start(['futex=6']);
    let stats: SessionStats | undefined;
    withStoppedProcess(t.pid, { onStats: (st) => (stats = st) }, (s) => bindAllToNode0(s));
    assert.ok(stats !== undefined);
    assert.equal(stats.threads, 8);
    // 8 × set_mempolicy, and the park region made: its mmap, then mprotect × 2 and prctl.
    assert.equal(stats.injections, stats.regionMade ? 12 : 8);
    assert.ok(stats.seizeMs <= stats.stoppedMs);
    await t.finish();
  });
});
