import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completedCalls, withStoppedProcess, type InjectMode, type SessionStats } from '../../src/inject/index.js';
import { targetStarter } from '../targets/target.js';
import { MPOL_BIND, threadPolicyWord } from './helpers.js';

const start = targetStarter();


for (const injection of ['auto', 'syscall-stops'] as const) {
  describe(`remoteSyscalls (injection ${injection})`, () => {
    it('runs several calls in one thread with one save/restore, each with its own result or errno', async () => {
      const t = await start(['futex=2', 'read=1', 'sleep=1']);
      let stats: SessionStats | undefined;
      const out = withStoppedProcess(t.pid, { injection, onStats: (s) => (stats = s) }, (s) => {
        const mask = s.scratch(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
        return s.threads.map((tid) => [tid, s.remoteSyscalls(tid, [
          { name: 'gettid', args: [] },
          { name: 'set_mempolicy', args: [99, 0, 0] },
          { name: 'set_mempolicy', args: [MPOL_BIND, mask, 65] },
          { name: 'gettid', args: [] },
        ])] as const);
      });
      assert.ok(stats !== undefined);
      const expected: InjectMode = injection === 'auto' && process.arch === 'x64' ? 'code' : 'syscall-stops';
      assert.equal(stats.injectionMode, expected);
      for (const [tid, r] of out) {
        assert.deepEqual(r, [
          { ok: true, value: BigInt(tid) },
          { ok: false, errno: 22, errnoName: 'EINVAL' },
          { ok: true, value: 0n },
          { ok: true, value: BigInt(tid) },
        ]);
        assert.equal(threadPolicyWord(t.pid, tid), 'bind:0');
      }
      // 4 calls per thread, one timing per injection (a batch counts once). The 8-byte mask lives
      // in the park region's data pages, made by this first operation on the process (its mmap
      // on its own, then one batch that seals and names it); with one call at a time, in a mapping
      // made for the operation and unmapped at its end.
      const own = stats.regionMade ? 4 : injection === 'syscall-stops' ? 2 : 0;
      const ownTimings = stats.regionMade ? 2 : injection === 'syscall-stops' ? 2 : 0;
      assert.equal(stats.injections, 4 * out.length + own);
      assert.equal(stats.unguardedCalls, 0, 'every call made on its own had its safety net');
      assert.equal(stats.injectUs.length, out.length + ownTimings);
      const { counters, threads } = await t.finish();
      assert.equal(counters.surprises, 0, 'no EINTR or 512..516 leaked to the program');
      assert.equal(counters.short_sleeps, 0);
      assert.ok(threads.every((r) => r.mode === MPOL_BIND));
    });

    it('stopAtErrno: the calls after the first errno do not run', async () => {
      const t = await start(['futex=1']);
      const r = withStoppedProcess(t.pid, { injection }, (s) => {
        const tid = s.threads[0] as number;
        return s.remoteSyscalls(tid, [
          { name: 'set_mempolicy', args: [99, 0, 0] },
          { name: 'set_mempolicy', args: [MPOL_BIND, 0, 0] },
        ], { stopAtErrno: true });
      });
      assert.deepEqual(r, [{ ok: false, errno: 22, errnoName: 'EINVAL' }]);
      assert.equal(threadPolicyWord(t.pid, t.pid), 'default', 'the second call did not run');
      await t.finish();
    });

    it('a transport failure is thrown; completedCalls names the calls that ran before it (none here)', async () => {
      const t = await start(['futex=2']);
      t.forget();
      withStoppedProcess(t.pid, { injection }, (s) => {
        process.kill(t.pid, 'SIGKILL');
        const tid = s.threads[0] as number;
        let err: unknown;
        for (let i = 0; i < 200 && err === undefined; i++) {
          try {
            s.remoteSyscalls(tid, [{ name: 'gettid', args: [] }, { name: 'gettid', args: [] }]);
          } catch (e) {
            err = e;
          }
        }
        assert.equal((err as { code?: string }).code, 'ETHREADEXIT');
        assert.deepEqual(completedCalls(err), []);
      });
    });
  });
}
