/**
 * numapol SIGKILLed in the middle of an operation (an OOM kill, a crash, a service manager's
 * stop timeout): the target must live on with its own registers, signal masks and interrupted
 * syscalls, whatever step numapol was at. A child process (fault-child.ts) runs the operation
 * and kills itself at a chosen step of the engine (fault-seam.ts): every step an operation
 * meets, once at its first occurrence and once in the middle. Then a few kills at random
 * instants, which must hold wherever they land. The target checks its own computations, sleeps,
 * signals and syscall results (workload.c); at the end every thread reports the policy the last
 * operation gave it. The kernel's bench (`npm run bench -- faults`) does the same a thousand
 * times on a 300-thread target.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { withStoppedProcess, type SessionStats } from '../../src/inject/index.js';
import { targetStarter, type Target } from '../targets/target.js';
import { MPOL_BIND } from './helpers.js';

const start = targetStarter();
const CHILD = fileURLToPath(new URL('./fault-child.js', import.meta.url));
/** Busy, futex-, read- and sleep-blocked threads, signals at 1 kHz, one thread blocking everything. */
const TARGET = ['futex=3', 'read=2', 'sleep=2', 'busy=2', 'signals=1', 'rtsig=1', 'blockall=1'];
/** Steps met once per thread: killed at their middle occurrence too. */
const MIDDLE = new Set(['code-running', 'parked', 'park-restored', 'oneshot-entry', 'oneshot-exit']);

interface ChildRun {
  killed: boolean;
  out: string;
}

function child(pid: number, op: string, step: string, n: number | string, timeoutMs?: number): ChildRun {
  const extra = timeoutMs === undefined ? [] : [String(timeoutMs)];
  const r = spawnSync(process.execPath, [CHILD, String(pid), op, step, String(n), ...extra], { encoding: 'utf8', timeout: 60_000 });
  if (r.signal !== 'SIGKILL' && r.status !== 0) throw new Error(`fault child ${op} ${step} ${n}: exit ${r.status} ${r.signal}\n${r.stderr}`);
  return { killed: r.signal === 'SIGKILL', out: r.stdout };
}

/** The steps an operation meets on this target, in order, with how often each comes. */
function record(pid: number, op: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of child(pid, op, 'record', 0).out.split('\n')) {
    const m = /^step (\S+) /.exec(line);
    if (m) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  }
  return counts;
}

/** No thread of the target is traced any more, and the target runs. */
function assertReleased(t: Target, what: string): void {
  // From /proc, not the child handle: between blocking spawns this process's event loop has not
  // run to see an exit.
  const s = state(t.pid);
  assert.ok(s !== undefined && s !== 'Z' && s !== 'X', `the target died (state ${s ?? 'reaped'}): ${what}`);
  for (const tid of readdirSync(`/proc/${t.pid}/task`)) {
    let status: string;
    try {
      status = readFileSync(`/proc/${t.pid}/task/${tid}/status`, 'utf8');
    } catch {
      continue; // a short-lived thread of the target's that ended meanwhile
    }
    assert.match(status, /^TracerPid:\s+0$/m, `thread ${tid} still traced after ${what}`);
  }
}

async function assertClean(t: Target): Promise<void> {
  const { counters, threads } = await t.finish();
  const seen = JSON.stringify(counters);
  assert.equal(counters.surprises, 0, seen);
  assert.equal(counters.short_sleeps, 0, seen);
  assert.equal(counters.busy_bad, 0, seen);
  assert.equal(counters.usr2_lost, 0, seen);
  assert.equal(counters.usr2_sent, counters.usr2_handled, seen);
  assert.ok(threads.every((r) => r.mode === MPOL_BIND), 'the last operation, which ran to the end, bound every thread');
}

describe('numapol killed at any step of an operation: the target lives on as if nothing had happened', () => {
  const what = { all: 'every thread', one: 'one thread', oneshot: 'every thread, each call on its own' } as const;
  for (const op of ['all', 'one', 'oneshot'] as const) {
    it(`${what[op]}: killed at each step, first and middle occurrence`, async () => {
      const t = await start(TARGET);
      // The first operation makes the park region (a test of its own below); the steps
      // recorded after it are those of every later operation.
      record(t.pid, op);
      const steps = record(t.pid, op);
      if (op === 'oneshot') assert.ok(steps.has('oneshot-entry') && steps.has('oneshot-exit'), [...steps.keys()].join());
      else assert.ok(steps.has('parked') && steps.has('park-restored') && steps.has('detached'), [...steps.keys()].join());
      if (op === 'all') assert.ok(steps.has('detour-stop'), 'the thread that blocks every signal parks through an event stop');
      let kills = 0;
      for (const [step, count] of steps) {
        // The first occurrence of every step; the middle one too where threads are many.
        for (const n of new Set([0, MIDDLE.has(step) ? count >> 1 : 0])) {
          const r = child(t.pid, op, step, n);
          assert.ok(r.killed, `numapol reached ${step} #${n}`);
          kills++;
          assertReleased(t, `a kill at ${step} #${n}`);
        }
      }
      assert.ok(kills >= 8, `${kills} kills`);
      // A kill at a random instant of the next operations, wherever it lands.
      for (let i = 0; i < 3; i++) {
        child(t.pid, op, 'random', 30_000);
        assertReleased(t, `a kill at a random instant (${i})`);
      }
      assert.match(child(t.pid, 'all', 'none', 0).out, /^done$/m);
      await assertClean(t);
    });
  }

  it('the first operation on a process, killed while it makes the park region (its mmap, a call on its own): the target lives on', async () => {
    for (const step of ['oneshot-regs-set', 'oneshot-entry', 'oneshot-exit', 'oneshot-restored']) {
      const t = await start(TARGET);
      assert.ok(child(t.pid, 'all', step, 0).killed);
      assertReleased(t, `a kill at ${step} of the region's mmap`);
      assert.match(child(t.pid, 'all', 'none', 0).out, /^done$/m);
      await assertClean(t);
    }
  });

  it('killed after the park region was made and written: the next numapol uses it', async () => {
    const t = await start(TARGET);
    assert.ok(child(t.pid, 'all', 'region-written', 0).killed);
    assertReleased(t, 'a kill right after the region was written');
    let stats: SessionStats | undefined;
    withStoppedProcess(t.pid, { onStats: (s) => (stats = s) }, (s) => s.remoteSyscall(t.pid, 'gettid', []));
    assert.equal(stats?.regionMade, false, 'found, not made again');
    assert.match(child(t.pid, 'all', 'none', 0).out, /^done$/m);
    await assertClean(t);
  });

  it('a thread left inside the park code (in a long call) by a numapol that died is given its own state back by the next', async () => {
    const t = await start(TARGET);
    child(t.pid, 'one', 'none', 0);
    // The main thread blocks for 60 s in a ppoll run by the park code; numapol dies meanwhile.
    assert.ok(child(t.pid, 'hold', 'code-running', 0).killed);
    assertReleased(t, 'a kill while the main thread ran a long call');
    assert.match(readFileSync(`/proc/${t.pid}/task/${t.pid}/syscall`, 'utf8'), /^271 /, 'the main thread sleeps in the injected ppoll');
    let stats: SessionStats | undefined;
    withStoppedProcess(t.pid, { onStats: (s) => (stats = s) }, (s) => s.remoteSyscall(t.pid, 'gettid', []));
    assert.ok(stats?.warnings.some((w) => w.includes(`thread ${t.pid} was still in the park code`)), JSON.stringify(stats?.warnings));
    assert.doesNotMatch(readFileSync(`/proc/${t.pid}/task/${t.pid}/syscall`, 'utf8'), /^271 /, 'back in its own syscall');
    // Killed again while giving that thread its state back, with its mask first.
    assert.ok(child(t.pid, 'hold', 'code-running', 0).killed);
    assert.ok(child(t.pid, 'all', 'adopt-mask-set', 0).killed);
    assertReleased(t, 'a kill between the mask and the registers of an adopted thread');
    assert.match(child(t.pid, 'all', 'none', 0).out, /^done$/m);
    await assertClean(t);
  });
});

/** `cond` within `ms`, polling every 10 ms. */
async function eventually(cond: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) if (cond()) return true;
  return cond();
}

/**
 * How long to wait for what the target does on its own (exit, exec, another tracer attaching):
 * long, so that only a target that never gets there fails, however loaded the machine.
 */
const PATIENCE_MS = 60_000;

/** The State letter of /proc/PID/status; undefined once the process is reaped. */
function state(pid: number): string | undefined {
  try {
    return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

function comm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

describe('numapol killed while the target itself changes', () => {
  it('the target is killed in the middle of the operation: numapol says so and ends; nothing is left traced', async () => {
    for (const [step, n] of [['code-running', 1], ['parked', 1], ['park-restored', 1], ['detour-stop', 0]] as const) {
      const t = await start(TARGET);
      child(t.pid, 'all', 'none', 0);
      t.forget();
      const r = child(t.pid, 'all', `target:${step}`, n);
      assert.equal(r.killed, false);
      assert.match(r.out, /^(done|error E\w+ .*)$/m, r.out);
      assert.ok(await eventually(() => ['Z', 'X', undefined].includes(state(t.pid)), PATIENCE_MS), 'the target is gone');
    }
  });

  it('the target execs during the operation (killed or not): numapol ends, the new program runs untraced', async () => {
    for (let i = 0; i < 4; i++) {
      const t = await start(['futex=20', 'busy=1', 'read=2', `exec=${150 + 60 * i}`]);
      t.forget();
      const r = child(t.pid, 'all', i % 2 ? 'timer' : 'none', i % 2 ? 20_000 : 0);
      assert.match(r.killed ? 'killed' : r.out, /^(killed|done|error E\w+ .*)$/m, r.out);
      assert.ok(await eventually(() => comm(t.pid) === 'sleep', PATIENCE_MS), `pid ${t.pid} became sleep (${comm(t.pid)})`);
      assert.ok(await eventually(() => readdirSync(`/proc/${t.pid}/task`).length === 1, PATIENCE_MS));
      assert.match(readFileSync(`/proc/${t.pid}/status`, 'utf8'), /^TracerPid:\s+0$/m);
      assert.doesNotMatch(readFileSync(`/proc/${t.pid}/status`, 'utf8'), /^State:\s+[tTZ]/m);
      t.kill();
    }
  });

  it('the target forks children and creates threads all the time: killed at steps and at random instants, all live on', async () => {
    const t = await start(['futex=3', 'busy=1', 'fork=1', 'spawn=1', 'signals=1']);
    child(t.pid, 'all', 'none', 0);
    for (const step of ['code-running', 'parked', 'park-restored']) {
      child(t.pid, 'all', step, 2);
      assertReleased(t, `a kill at ${step}`);
    }
    for (let i = 0; i < 2; i++) {
      child(t.pid, 'all', 'timer', 30_000);
      assertReleased(t, `a kill at a random instant (${i})`);
    }
    await t.mark();
    assert.match(child(t.pid, 'all', 'none', 0).out, /^done$/m);
    const { counters } = await t.finish();
    assert.ok((counters.forks ?? 0) > 0 && (counters.spawned ?? 0) > 0, JSON.stringify(counters));
    assert.equal(counters.fork_bad, 0, 'every child saw its parent\'s memory and exited normally');
    assert.equal(counters.surprises, 0);
    assert.equal(counters.busy_bad, 0);
    assert.equal(counters.usr2_lost, 0);
  });

  it('a thread held in vfork: the stop times out, killed or not; the vfork child and its parent run on', async () => {
    const t = await start(['futex=2', 'vfork=1']);
    for (let i = 0; i < 4; i++) {
      const r = child(t.pid, 'all', i % 2 ? 'timer' : 'none', i % 2 ? 250_000 : 0, 200);
      if (!r.killed) assert.match(r.out, /^error ETIMEDOUT .*vfork/m, r.out);
    }
    const { counters } = await t.finish();
    assert.ok((counters.vfork_checks ?? 0) > 0);
    assert.equal(counters.vfork_bad, 0, 'the vfork child found its stack intact');
    assert.equal(counters.surprises, 0);
  });

  it('a target another tracer holds is refused, killed or not, and left to that tracer', async () => {
    const t = await start(['futex=2', 'busy=1']);
    const strace = spawn('strace', ['-q', '-o', '/dev/null', '-p', String(t.pid)], { stdio: 'ignore' });
    try {
      assert.ok(await eventually(() => /^TracerPid:\s+[1-9]/m.test(readFileSync(`/proc/${t.pid}/status`, 'utf8')), PATIENCE_MS));
      for (let i = 0; i < 3; i++) {
        const r = child(t.pid, 'all', i % 2 ? 'timer' : 'none', 5_000);
        if (!r.killed) assert.match(r.out, /^error EPERM .*already traced/m, r.out);
        assert.match(readFileSync(`/proc/${t.pid}/status`, 'utf8'), new RegExp(`^TracerPid:\\s+${strace.pid}$`, 'm'));
      }
    } finally {
      strace.kill('SIGINT');
      await new Promise((r) => strace.once('exit', r));
    }
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.equal(counters.busy_bad, 0);
  });
});
