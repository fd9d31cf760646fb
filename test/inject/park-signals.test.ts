import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { withStoppedProcess, type RemoteCall, type StoppedProcess, type ThreadOutcome } from '../../src/inject/index.js';
import { libcFunc } from '../../src/kernel/ffi.js';
import { Target } from '../targets/target.js';

const targets: Target[] = [];
after(() => {
  for (const t of targets) t.kill();
});

/** glibc's SIGRTMIN (32 and 33 are its own). */
const SIGRTMIN = 34;
const SI_QUEUE = -1;
const RT_BIT = 1n << BigInt(SIGRTMIN - 1);

/** The target's thread named "rtsig" (workload.c rtsig=1). */
function rtThread(pid: number): number {
  const tid = readdirSync(`/proc/${pid}/task`).map(Number).find((t) => readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim() === 'rtsig');
  assert.ok(tid !== undefined, 'the rtsig thread');
  return tid;
}

/** A workload with `futex` sleeping threads and the rtsig thread. */
async function startRt(futex: number): Promise<{ t: Target; rt: number }> {
  const t = await Target.start([`futex=${futex}`, 'rtsig=1']);
  targets.push(t);
  return { t, rt: rtThread(t.pid) };
}

const gettid: RemoteCall = { name: 'gettid', args: [] };

function assertOwnTids(out: readonly ThreadOutcome[]): void {
  for (const o of out) {
    assert.equal(o.error, undefined, `thread ${o.tid}: ${String(o.error)}`);
    assert.deepEqual(o.results.map((r) => (r.ok ? r.value : r.errnoName)), [BigInt(o.tid), BigInt(o.tid)]);
  }
}

/** The rtsig thread's pending set, asked with an injected rt_sigpending inside the operation. */
function pendingIn(s: StoppedProcess, tid: number): bigint {
  const set = s.scratch(Buffer.alloc(8));
  const [r] = s.remoteSyscalls(tid, [{ name: 'rt_sigpending', args: [set, 8] }]);
  assert.ok(r?.ok);
  return s.readMemory(set, 8).readBigUInt64LE(0);
}

/** The target ran its SIGRTMIN handler once, with this siginfo, and saw nothing odd. */
async function assertHandledOnce(t: Target, info: { code: number; value: number; pid: number }): Promise<void> {
  const { counters } = await t.finish();
  assert.equal(counters.rt_count, 1, 'handled once');
  assert.equal(counters.rt_code, info.code, 'si_code of the sender, not of a re-sent signal');
  assert.equal(counters.rt_value, info.value);
  assert.equal(counters.rt_pid, info.pid);
  assert.equal(counters.surprises, 0);
}

describe('signals around injected code', { skip: process.arch !== 'x64' }, () => {
  it('a signal due when a thread is resumed into the code reaches the program with its siginfo, during the operation, and the calls run after', async () => {
    const { t, rt } = await startRt(4);
    const sigqueue = libcFunc<(pid: number, sig: number, value: number) => number>('int sigqueue(int, int, long)');
    let codeBatches = 0;
    const { out, pending } = withStoppedProcess(t.pid, { onStats: (s) => (codeBatches = s.codeBatches) }, (s) => {
      // Every thread is stopped: the signal waits, for the one thread that takes it.
      assert.equal(sigqueue(t.pid, SIGRTMIN, 4242), 0);
      const out = s.remoteSyscallsEach(s.threads.map((tid) => ({ tid, calls: [gettid, gettid] })));
      // Still inside the operation: the signal was given to the program, not left pending.
      return { out, pending: pendingIn(s, rt) };
    });
    assert.ok(codeBatches > 0, 'the calls ran as injected code');
    assertOwnTids(out);
    assert.equal(pending & RT_BIT, 0n, 'SIGRTMIN is no longer pending');
    await assertHandledOnce(t, { code: SI_QUEUE, value: 4242, pid: process.pid });
  });

  it('a signal that comes while the code runs is delivered with its siginfo once the code has put the mask back; the calls all ran', async () => {
    const { t, rt } = await startRt(4);
    const { out, pending } = withStoppedProcess(t.pid, {}, (s) => {
      // struct siginfo for rt_tgsigqueueinfo: signo, errno, code, then si_pid, si_uid, si_value.
      const info = Buffer.alloc(128);
      info.writeInt32LE(SIGRTMIN, 0);
      info.writeInt32LE(SI_QUEUE, 8);
      info.writeInt32LE(t.pid, 16);
      info.writeInt32LE(777, 24);
      const infoAddr = s.scratch(info);
      // The rtsig thread queues a signal to itself from inside the code, where it is blocked.
      const out = s.remoteSyscallsEach(s.threads.map((tid) => ({
        tid,
        calls: tid === rt ? [{ name: 'rt_tgsigqueueinfo', args: [t.pid, rt, SIGRTMIN, infoAddr] }, gettid] : [gettid, gettid],
      })));
      return { out, pending: pendingIn(s, rt) };
    });
    for (const o of out.filter((x) => x.tid !== rt)) assertOwnTids([o]);
    const mine = out.find((o) => o.tid === rt);
    assert.deepEqual(mine?.results.map((r) => (r.ok ? r.value : r.errnoName)), [0n, BigInt(rt)]);
    assert.equal(pending & RT_BIT, 0n, 'delivered during the operation');
    await assertHandledOnce(t, { code: SI_QUEUE, value: 777, pid: t.pid });
  });

  it('every thread keeps its own signal mask, SIGTRAP blocked included, and every handler stays (the park signal is never delivered)', async () => {
    const { t, rt } = await startRt(3);
    const status = (tid: number): string => readFileSync(`/proc/${t.pid}/task/${tid}/status`, 'utf8');
    const field = (text: string, name: string): bigint => BigInt(`0x${new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(text)![1]}`);
    const tids = readdirSync(`/proc/${t.pid}/task`).map(Number);
    const before = new Map(tids.map((tid) => [tid, field(status(tid), 'SigBlk')]));
    assert.equal(before.get(rt)! & (1n << 4n), 1n << 4n, 'the rtsig thread blocks SIGTRAP');
    assert.equal(before.get(t.pid)! & RT_BIT, RT_BIT, 'the others block SIGRTMIN');
    const caught = field(status(t.pid), 'SigCgt');
    withStoppedProcess(t.pid, {}, (s) => {
      // Twice in one operation: the second run starts from what the first one left.
      for (let round = 0; round < 2; round++) assertOwnTids(s.remoteSyscallsEach(s.threads.map((tid) => ({ tid, calls: [gettid, gettid] }))));
    });
    for (const tid of tids) assert.equal(field(status(tid), 'SigBlk'), before.get(tid), `thread ${tid}: mask as it was`);
    assert.equal(field(status(t.pid), 'SigCgt'), caught, 'no handler reset');
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
  });
});
