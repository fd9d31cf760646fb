import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { withStoppedProcess } from '../../src/inject/index.js';
import { targetStarter } from '../targets/target.js';
import { bindAllToNode0, MPOL_BIND, sleep, tracerOf } from './helpers.js';

const start = targetStarter();


function assertUntouched(pid: number): void {
  assert.equal(tracerOf(pid), 0, 'no tracer left behind');
  assert.doesNotMatch(readFileSync(`/proc/${pid}/status`, 'utf8'), /^State:\s+[tTZ]/m);
}

describe('refusals and failures', () => {
  it('refuses a seccomp-filtered process by default without stopping it, leaving it running and unchanged', async () => {
    const t = await start(['futex=2', 'epoll=1', 'seccomp=errno']);
    await sleep(50); // until the epoll thread waits in epoll_wait
    for (let i = 0; i < 2; i++) {
      assert.throws(() => withStoppedProcess(t.pid, {}, () => assert.fail('must not run')), { code: 'ESECCOMP', message: /seccomp filter/ });
    }
    assertUntouched(t.pid);
    const { counters, threads } = await t.finish();
    assert.equal(counters.surprises, 0);
    // A stop would have cut its epoll_wait short (the test below shows it does): never stopped.
    assert.equal(counters.eintr_epoll ?? 0, 0);
    assert.ok(threads.every((r) => r.mode === 0));
  });

  it('with seccomp allowed, reports the EPERM of an ERRNO filter as the target errno', async () => {
    const t = await start(['futex=2', 'epoll=1', 'seccomp=errno']);
    await sleep(50);
    const failures = withStoppedProcess(t.pid, { seccomp: 'allow' }, (s) => bindAllToNode0(s));
    assert.equal(failures.length, 5);
    assert.ok(failures.every((f) => f.endsWith('EPERM')), failures.join());
    assertUntouched(t.pid);
    const { counters, threads } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.equal(counters.eintr_epoll, 1, 'the stop cut the epoll_wait short once');
    assert.ok(threads.every((r) => r.mode === 0));
  });

  it('with seccomp suspended (root), changes a filtered process', async () => {
    const t = await start(['futex=2', 'seccomp=kill']);
    withStoppedProcess(t.pid, { seccomp: 'suspend' }, (s) => assert.deepEqual(bindAllToNode0(s), []));
    assertUntouched(t.pid);
    const { threads } = await t.finish();
    assert.ok(threads.every((r) => r.mode === MPOL_BIND));
  });

  it('with seccomp allowed, names a KILL filter that rejected the call (the filter then kills the process)', async () => {
    const t = await start(['futex=1', 'seccomp=kill']);
    t.forget();
    assert.throws(() => withStoppedProcess(t.pid, { seccomp: 'allow' }, (s) => bindAllToNode0(s)), {
      code: 'ESECCOMP',
      message: /seccomp filter of pid \d+ rejected syscall 238 with SIGSYS/,
    });
  });

  it('refuses an already-traced process, naming the tracer', async () => {
    const t = await start(['futex=1']);
    const strace = spawn('strace', ['-q', '-o', '/dev/null', '-p', String(t.pid)], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && tracerOf(t.pid) === 0; i++) await sleep(20);
      assert.equal(tracerOf(t.pid), strace.pid);
      assert.throws(() => withStoppedProcess(t.pid, {}, () => assert.fail('must not run')), {
        code: 'EPERM',
        message: new RegExp(`already traced by pid ${strace.pid} \\(strace\\)`),
      });
    } finally {
      strace.kill('SIGINT');
      await new Promise((r) => strace.once('exit', r));
    }
    assertUntouched(t.pid);
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
  });

  it('refuses a second operation on a process this one is already stopping (EBUSY), and the first goes on', async () => {
    const t = await start(['futex=2']);
    const inner = withStoppedProcess(t.pid, {}, (s) => {
      assert.throws(() => withStoppedProcess(t.pid, {}, () => assert.fail('must not run')), {
        code: 'EBUSY',
        message: /this process is already tracing it/,
      });
      return s.remoteSyscall(s.threads[0] as number, 'gettid', []);
    });
    assert.deepEqual(inner, { ok: true, value: BigInt(t.pid) });
    assertUntouched(t.pid);
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
  });

  it('refuses a zombie', async () => {
    // The shell's child exits and is never reaped: the exec'd sleep does not wait.
    const sh = spawn('sh', ['-c', 'sleep 0.01 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zpid = await new Promise<number>((res) => sh.stdout.once('data', (d: Buffer) => res(Number(d.toString().trim()))));
    try {
      for (let i = 0; i < 100 && !/^State:\s+Z/m.test(readFileSync(`/proc/${zpid}/status`, 'utf8')); i++) await sleep(10);
      assert.throws(() => withStoppedProcess(zpid, {}, () => assert.fail('must not run')), { code: 'EZOMBIE', message: /is a zombie/ });
    } finally {
      sh.kill('SIGKILL');
    }
  });

  it('refuses a pid that does not exist, and numapol itself', () => {
    assert.throws(() => withStoppedProcess(0x3fffff0, {}, () => 0), { code: 'ESRCH', message: /is gone/ });
    assert.throws(() => withStoppedProcess(process.pid, {}, () => 0), { code: 'EPERM', message: /numapol itself/ });
  });

  it('reports a process killed during the operation as ETHREADEXIT and cleans up', async () => {
    const t = await start(['futex=3']);
    t.forget();
    assert.throws(
      () => withStoppedProcess(t.pid, {}, (s) => {
        process.kill(t.pid, 'SIGKILL');
        for (const tid of s.threads) s.remoteSyscall(tid, 'gettid', []);
      }),
      { code: 'ETHREADEXIT' },
    );
  });

  it('detaches every thread when the callback throws', async () => {
    const t = await start(['futex=2', 'busy=1']);
    assert.throws(() => withStoppedProcess(t.pid, {}, (s) => {
      s.remoteSyscall(s.threads[0] as number, 'gettid', []);
      throw new Error('boom');
    }), /boom/);
    assertUntouched(t.pid);
    const { counters } = await t.finish();
    assert.equal(counters.busy_bad, 0);
  });
});
