// setProcessPolicy on live targets: each thread gets the policy (numa_maps and the thread's own
// get_mempolicy agree), the target's own checks find nothing wrong, and a failure part-way leaves
// every thread with its previous policy.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { NumapolError } from '../../src/errors.js';
import { parseThreadSelection, setProcessPolicy } from '../../src/ops/set-policy.js';
import { targetStarter } from '../targets/target.js';

const MPOL_PREFERRED = 1;
const MPOL_BIND = 2;
const MPOL_INTERLEAVE = 3;

const start = targetStarter();


function tidsOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map(Number);
}

/** The first numa_maps line's policy: the task's policy for VMAs without their own. */
function taskPolicyWord(pid: number, tid: number): string {
  return (readFileSync(`/proc/${pid}/task/${tid}/numa_maps`, 'utf8').split('\n')[0] ?? '').split(' ')[1] ?? '';
}

function clean(c: Record<string, number>): void {
  assert.equal(c.surprises, 0, 'no thread saw an errno it could not have caused');
  assert.equal(c.short_sleeps ?? 0, 0, 'no sleep was cut short');
  assert.equal(c.busy_bad ?? 0, 0, 'busy loops computed the same result');
  assert.equal(c.usr2_lost ?? 0, 0, 'no signal was lost');
}

describe('setProcessPolicy', () => {
  it('sets every thread of a target blocked in futex, read, nanosleep, epoll, accept, busy, 1 kHz signals', async () => {
    const t = await start(['futex=3', 'read=2', 'sleep=2', 'epoll=2', 'accept=2', 'busy=2', 'signals=1']);
    const r = setProcessPolicy(t.pid, 'bind=0');
    assert.equal(r.policy, 'bind:0');
    assert.deepEqual(r.threads.map((x) => x.tid).sort(), tidsOf(t.pid).sort());
    assert.ok(r.threads.every((x) => x.before === 'default' && x.after === 'bind:0'));
    for (const tid of tidsOf(t.pid)) assert.equal(taskPolicyWord(t.pid, tid), 'bind:0', `thread ${tid}`);
    assert.ok(r.stop !== undefined && r.stop.threadsStopped === r.threads.length);
    const { counters, threads } = await t.finish();
    clean(counters);
    assert.ok((counters.sig_alrm ?? 0) > 0);
    assert.ok(threads.length > 10);
    for (const th of threads) assert.deepEqual([th.mode, th.mask], [MPOL_BIND, 1n], `${th.kind} thread ${th.tid} reports its own policy`);
  });

  it('--threads main changes only the thread whose tid is the pid; a TID list only those', async () => {
    const t = await start(['futex=3']);
    const r = setProcessPolicy(t.pid, 'prefer=0', { threads: 'main' });
    assert.deepEqual(r.threads.map((x) => x.tid), [t.pid]);
    const others = tidsOf(t.pid).filter((x) => x !== t.pid);
    const two = others.slice(0, 2);
    setProcessPolicy(t.pid, 'interleave=0', { threads: parseThreadSelection(two.join(',')) });
    for (const tid of tidsOf(t.pid)) {
      const want = tid === t.pid ? 'prefer:0' : two.includes(tid) ? 'interleave:0' : 'default';
      assert.equal(taskPolicyWord(t.pid, tid), want, `thread ${tid}`);
    }
    const { counters, threads } = await t.finish();
    clean(counters);
    const main = threads.find((x) => x.kind === 'main');
    assert.equal(main?.mode, MPOL_PREFERRED);
    for (const tid of two) assert.equal(threads.find((x) => x.tid === tid)?.mode, MPOL_INTERLEAVE);
  });

  it('an unknown TID is a usage error naming it, and nothing is stopped', async () => {
    const t = await start(['futex=1']);
    assert.throws(
      () => setProcessPolicy(t.pid, 'bind=0', { threads: [t.pid, 999_999_99] }),
      (e: unknown) => e instanceof NumapolError && e.usage && /no thread 99999999/.test(e.message),
    );
    assert.throws(() => parseThreadSelection('1,x'), /bad --threads/);
    for (const tid of tidsOf(t.pid)) assert.equal(taskPolicyWord(t.pid, tid), 'default');
  });

  it('a failure in one thread gives the threads already changed their previous policy back', async () => {
    // One thread's own seccomp filter makes its set_mempolicy fail with EPERM.
    const t = await start(['futex=4', 'sleep=2', 'busy=1', 'seccomp_thread=1']);
    setProcessPolicy(t.pid, 'prefer=0', { threads: 'main' }); // threads start from different policies
    const before = new Map(tidsOf(t.pid).map((tid) => [tid, taskPolicyWord(t.pid, tid)] as const));
    let err: NumapolError | undefined;
    try {
      setProcessPolicy(t.pid, 'bind=0');
    } catch (e) {
      err = e as NumapolError;
    }
    assert.ok(err instanceof NumapolError, 'the operation failed');
    assert.equal(err.code, 'EPERM');
    assert.match(err.message, /set_mempolicy failed with EPERM/);
    assert.match(err.message, /were undone/);
    assert.ok((err.details.restored as string[]).length > 0, 'some threads had been changed and were restored');
    for (const [tid, word] of before) assert.equal(taskPolicyWord(t.pid, tid), word, `thread ${tid} has its previous policy`);
    const { counters } = await t.finish();
    clean(counters);
  });

  it('refuses a target under a seccomp filter unless allowed; allowed, the filter answers and nothing changes', async () => {
    const t = await start(['futex=2', 'seccomp=errno']);
    assert.throws(() => setProcessPolicy(t.pid, 'bind=0'), (e: unknown) => e instanceof NumapolError && e.code === 'ESECCOMP');
    assert.throws(() => setProcessPolicy(t.pid, 'bind=0', { seccomp: 'allow' }), (e: unknown) => e instanceof NumapolError && e.code === 'EPERM');
    for (const tid of tidsOf(t.pid)) assert.equal(taskPolicyWord(t.pid, tid), 'default');
    const { counters } = await t.finish();
    clean(counters);
  });

  it('200+ threads, with threads creating threads during the operation: new threads inherit the policy', async () => {
    const t = await start(['futex=200', 'sleep=10', 'busy=1', 'spawn=1']);
    await new Promise((r) => setTimeout(r, 100));
    const r = setProcessPolicy(t.pid, 'bind=0');
    assert.ok(r.threads.length >= 212, `${r.threads.length} threads`);
    await t.mark();
    await new Promise((r2) => setTimeout(r2, 200));
    const { counters, threads } = await t.finish();
    clean(counters);
    assert.ok((counters.spawned_after_mark ?? 0) > 5);
    assert.equal(counters.bind_after_mark, counters.spawned_after_mark, 'threads created afterwards inherit bind');
    assert.ok(threads.filter((x) => x.kind !== 'controller').every((x) => x.mode === MPOL_BIND));
  });

  it('dry run reads /proc only: the plan names every thread, nothing changes, nothing is traced', async () => {
    const t = await start(['futex=2']);
    const r = setProcessPolicy(t.pid, 'interleave=0', { dryRun: true });
    assert.equal(r.dryRun, true);
    assert.equal(r.stop, undefined);
    assert.deepEqual(r.threads.map((x) => x.tid).sort(), tidsOf(t.pid).sort());
    for (const tid of tidsOf(t.pid)) assert.equal(taskPolicyWord(t.pid, tid), 'default');
  });

  it('real programs nobody here wrote: sleep, python3 with threads, node, tail -f', async () => {
    const progs: { name: string; args: string[]; input?: string }[] = [
      { name: 'sleep', args: ['2'] },
      {
        name: 'python3',
        args: ['-c', 'import threading,sys\nr=[0]*4\ndef f(i):\n  s=0\n  for k in range(3000000): s+=k*i\n  r[i]=s\nts=[threading.Thread(target=f,args=(i,)) for i in range(4)]\n[t.start() for t in ts]\n[t.join() for t in ts]\nprint(r==[sum(k*i for k in range(3000000)) for i in range(4)])'],
      },
      { name: process.execPath, args: ['-e', 'let n=0;const t=setInterval(()=>{if(++n===40){clearInterval(t);console.log("ticks",n)}},25)'] },
    ];
    for (const p of progs) {
      const child = spawn(p.name, p.args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      const r = setProcessPolicy(child.pid!, 'bind=0');
      assert.ok(r.threads.length >= 1);
      for (const tid of tidsOf(child.pid!)) assert.equal(taskPolicyWord(child.pid!, tid), 'bind:0', `${p.name} thread ${tid}`);
      assert.equal(await exited, 0, `${p.name} exits normally`);
      if (p.name === 'sleep') assert.ok(Date.now() - t0 >= 1500, 'sleep slept on');
      if (p.name === 'python3') assert.equal(out.trim(), 'True');
      if (p.name === process.execPath) assert.equal(out.trim(), 'ticks 40');
    }
    // tail -f keeps following its file after the change.
    const file = `/tmp/numapol-tail-${process.pid}`;
    const { writeFileSync, appendFileSync, rmSync } = await import('node:fs');
    writeFileSync(file, 'one\n');
    const tail = spawn('tail', ['-f', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let seen = '';
    tail.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    await new Promise((r) => setTimeout(r, 300));
    setProcessPolicy(tail.pid!, 'interleave=0');
    assert.equal(taskPolicyWord(tail.pid!, tail.pid!), 'interleave:0');
    appendFileSync(file, 'two\n');
    for (let i = 0; i < 100 && !seen.includes('two'); i++) await new Promise((r) => setTimeout(r, 50));
    tail.kill();
    rmSync(file, { force: true });
    assert.equal(seen, 'one\ntwo\n');
  });
});

describe('soak', () => {
  it('2,000 policy flips on a busy multi-threaded target with 1 kHz signals: zero faults', async () => {
    // spawn=1 keeps creating and ending threads between and during the sessions.
    const t = await start(['futex=4', 'sleep=2', 'epoll=1', 'busy=2', 'signals=1', 'spawn=1']);
    const policies = ['bind=0', 'prefer=0', 'interleave=0', 'local', 'default'];
    for (let i = 0; i < 2000; i++) {
      const r = setProcessPolicy(t.pid, policies[i % policies.length]!);
      assert.ok(r.threads.length >= 13, `only ${r.threads.length} threads changed`);
      if (i % 200 === 0) await new Promise((res) => setTimeout(res, 1)); // let the target's output flow
    }
    setProcessPolicy(t.pid, 'bind=0');
    const { counters, threads } = await t.finish();
    clean(counters);
    assert.ok(threads.filter((x) => x.kind !== 'controller').every((x) => x.mode === MPOL_BIND));
  });
});
