import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { withStoppedProcess, type SessionStats, type ThreadOutcome } from '../../src/inject/index.js';
import { Target } from '../targets/target.js';

const targets: Target[] = [];
after(() => {
  for (const t of targets) t.kill();
});

async function start(args: string[]): Promise<Target> {
  const t = await Target.start(args);
  targets.push(t);
  return t;
}

/** A user-space address no process maps (above the 47-bit user range): get_mempolicy answers EFAULT there. */
const UNMAPPED = 0x7fff_ffff_f000_0000n * 2n;

function run(pid: number, calls: (tid: number) => { name: 'gettid' | 'get_mempolicy'; args: bigint[] }[], stopAtErrno: boolean): { out: ThreadOutcome[]; stats: SessionStats } {
  let stats: SessionStats | undefined;
  const out = withStoppedProcess(pid, { onStats: (s) => (stats = s) }, (s) => s.remoteSyscallsEach(s.threads.map((tid) => ({ tid, calls: calls(tid) })), { stopAtErrno }));
  assert.ok(stats !== undefined);
  return { out, stats };
}

describe('remoteSyscallsEach: every thread at once', { skip: process.arch !== 'x64' }, () => {
  it('each thread runs its own batch, as injected code, and gets its own results', async () => {
    const t = await start(['futex=20', 'read=2', 'sleep=2', 'busy=1', 'signals=1']);
    const tids = readdirSync(`/proc/${t.pid}/task`).map(Number);
    const { out, stats } = run(t.pid, () => [{ name: 'gettid', args: [] }, { name: 'get_mempolicy', args: [0n, 0n, 0n, 0n, 0n] }, { name: 'gettid', args: [] }], false);
    assert.equal(out.length, tids.length);
    for (const o of out) {
      assert.equal(o.error, undefined);
      assert.deepEqual(o.results, [{ ok: true, value: BigInt(o.tid) }, { ok: true, value: 0n }, { ok: true, value: BigInt(o.tid) }]);
    }
    // Every thread's batch ran through the park code, plus the region's own batch (made now:
    // the first operation on this process).
    assert.equal(stats.regionMade, true);
    assert.equal(stats.codeBatches, tids.length + 1, `code batches: ${stats.codeBatches} of ${tids.length}`);
    assert.equal(stats.injections, 3 * tids.length + 4, 'plus the region\'s mmap and its two mprotect and prctl');
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.equal(counters.busy_bad, 0);
    assert.equal(counters.usr2_lost, 0);
  });

  it('threads that differ only in where their outputs go share one code, with their own addresses; a batch unlike the others gets code of its own', async () => {
    const t = await start(['futex=12', 'busy=1']);
    const SLOT = 16;
    withStoppedProcess(t.pid, {}, (s) => {
      const n = s.threads.length;
      const area = s.scratch(Buffer.alloc(n * SLOT, 0xaa));
      // get_mempolicy(&mode, NULL, 0, 0, 0) writes the 4-byte mode (0: MPOL_DEFAULT) at the
      // thread's own slot; the last thread runs another shape of batch.
      const getMode = (k: number) => ({ name: 'get_mempolicy' as const, args: [area + BigInt(k * SLOT), 0n, 0n, 0n, 0n] });
      const gettid = { name: 'gettid' as const, args: [] };
      const out = s.remoteSyscallsEach(s.threads.map((tid, k) => ({ tid, calls: k === n - 1 ? [getMode(k), gettid, gettid] : [gettid, getMode(k)] })));
      out.forEach((o, k) => {
        assert.equal(o.error, undefined);
        const own = k === n - 1 ? [{ ok: true, value: 0n }, { ok: true, value: BigInt(o.tid) }, { ok: true, value: BigInt(o.tid) }] : [{ ok: true, value: BigInt(o.tid) }, { ok: true, value: 0n }];
        assert.deepEqual(o.results, own);
      });
      const mem = s.readMemory(area, n * SLOT);
      for (let k = 0; k < n; k++) {
        assert.equal(mem.readInt32LE(k * SLOT), 0, `thread ${k} wrote its mode at its own slot`);
        assert.ok(mem.subarray(k * SLOT + 4, (k + 1) * SLOT).every((b) => b === 0xaa), `nothing else written in slot ${k}`);
      }
    });
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.equal(counters.busy_bad, 0);
  });

  it('stopAtErrno: a batch stops at the first errno in the injected code; without it every call runs', async () => {
    const t = await start(['futex=6']);
    const batch = (): { name: 'gettid' | 'get_mempolicy'; args: bigint[] }[] => [
      { name: 'gettid', args: [] },
      { name: 'get_mempolicy', args: [UNMAPPED, 0n, 0n, 0n, 0n] },
      { name: 'gettid', args: [] },
    ];
    const stopped = run(t.pid, batch, true);
    assert.ok(stopped.stats.codeBatches > 0);
    for (const o of stopped.out) {
      assert.equal(o.results.length, 2, `thread ${o.tid}: ${JSON.stringify(o.results, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
      assert.deepEqual(o.results[1], { ok: false, errno: 14, errnoName: 'EFAULT' });
    }
    const all = run(t.pid, batch, false);
    for (const o of all.out) {
      assert.equal(o.results.length, 3);
      assert.deepEqual(o.results[2], { ok: true, value: BigInt(o.tid) });
    }
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
  });

  it('a SIGSTOPped process: every thread runs its batch, the process stays stopped until SIGCONT', async () => {
    const t = await start(['futex=8', 'sleep=2']);
    process.kill(t.pid, 'SIGSTOP');
    for (let i = 0; i < 100 && !/^State:\s+T/m.test(readFileSync(`/proc/${t.pid}/status`, 'utf8')); i++) await new Promise((r) => setTimeout(r, 10));
    const { out, stats } = run(t.pid, () => [{ name: 'gettid', args: [] }, { name: 'gettid', args: [] }], false);
    assert.ok(stats.codeBatches > 0);
    for (const o of out) assert.deepEqual(o.results, [{ ok: true, value: BigInt(o.tid) }, { ok: true, value: BigInt(o.tid) }]);
    await new Promise((r) => setTimeout(r, 50));
    assert.match(readFileSync(`/proc/${t.pid}/status`, 'utf8'), /^State:\s+T/m, 'still stopped');
    process.kill(t.pid, 'SIGCONT');
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
  });

  it('a target that may not have writable+executable memory (PR_SET_MDWE) gets the park code in a read+exec page written as a debugger does', async (ctx) => {
    const t = await start(['futex=6', 'mdwe=1']);
    if (t.output().includes('mdwe unsupported')) {
      ctx.skip('PR_SET_MDWE needs Linux 6.3+');
      return;
    }
    const { out, stats } = run(t.pid, () => [{ name: 'gettid', args: [] }, { name: 'get_mempolicy', args: [0n, 0n, 0n, 0n, 0n] }], false);
    assert.equal(stats.injectionMode, 'code');
    assert.ok(stats.codeBatches >= out.length, `code batches: ${stats.codeBatches}`);
    const maps = readFileSync(`/proc/${t.pid}/maps`, 'utf8');
    assert.doesNotMatch(maps, /^\S+ rwxp /m, 'no page both writable and executable');
    for (const o of out) assert.deepEqual(o.results, [{ ok: true, value: BigInt(o.tid) }, { ok: true, value: 0n }]);
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
  });
});
