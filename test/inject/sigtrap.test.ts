import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { withStoppedProcess, type SessionStats } from '../../src/inject/index.js';
import { Target } from '../targets/target.js';
import { sleep } from './helpers.js';

const children: ChildProcess[] = [];
const targets: Target[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const t of targets) t.kill();
});

/** A /proc/PID[/task/TID]/status mask line (SigIgn, SigCgt, SigBlk) as a bigint. */
function maskOf(path: string, name: string): bigint {
  const m = new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(readFileSync(path, 'utf8'));
  return BigInt(`0x${m?.[1] ?? '0'}`);
}
const SIGTRAP_BIT = 1n << 4n;

/** Starts a program; resolves once /proc/PID/comm is `comm` (after the shell's exec). */
async function startChild(cmd: string, args: string[], comm?: string): Promise<ChildProcess> {
  const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(c);
  for (let i = 0; comm !== undefined && i < 300; i++) {
    if (c.pid !== undefined && readFileSync(`/proc/${c.pid}/comm`, 'utf8').trim() === comm) break;
    await sleep(10);
  }
  return c;
}

function gettidEverywhere(pid: number): SessionStats {
  let stats: SessionStats | undefined;
  withStoppedProcess(pid, { onStats: (s) => (stats = s) }, (s) => {
    for (const tid of s.threads) assert.deepEqual(s.remoteSyscall(tid, 'gettid', []), { ok: true, value: BigInt(tid) });
  });
  assert.ok(stats !== undefined);
  return stats;
}

describe('injection keeps the target\'s SIGTRAP disposition (it never uses SIGTRAP)', { skip: process.arch !== 'x64' }, () => {
  it('a target that ignores SIGTRAP gets the park code, and still ignores it after', async () => {
    // An ignored disposition survives exec: sleep starts with SIGTRAP ignored.
    const c = await startChild('sh', ['-c', "trap '' TRAP; exec sleep 30"], 'sleep');
    const pid = c.pid as number;
    assert.equal(maskOf(`/proc/${pid}/status`, 'SigIgn') & SIGTRAP_BIT, SIGTRAP_BIT);
    const stats = gettidEverywhere(pid);
    assert.equal(stats.injectionMode, 'code');
    assert.equal(maskOf(`/proc/${pid}/status`, 'SigIgn') & SIGTRAP_BIT, SIGTRAP_BIT, 'still ignored');
    assert.equal(c.exitCode, null);
  });

  it('a target with a SIGTRAP handler: the handler stays and never runs', async () => {
    const py = 'import signal,sys,time\n'
      + 'def h(*a):\n  print("trapped", flush=True)\n'
      + 'signal.signal(signal.SIGTRAP, h)\nprint("ready", flush=True)\ntime.sleep(30)\n';
    const c = await startChild('python3', ['-c', py]);
    let out = '';
    c.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 300 && !out.includes('ready'); i++) await sleep(10);
    const pid = c.pid as number;
    assert.equal(maskOf(`/proc/${pid}/status`, 'SigCgt') & SIGTRAP_BIT, SIGTRAP_BIT);
    for (let i = 0; i < 5; i++) assert.equal(gettidEverywhere(pid).injectionMode, 'code');
    await sleep(100);
    assert.equal(maskOf(`/proc/${pid}/status`, 'SigCgt') & SIGTRAP_BIT, SIGTRAP_BIT, 'handler still installed');
    assert.equal(maskOf(`/proc/${pid}/status`, 'SigIgn') & SIGTRAP_BIT, 0n);
    assert.doesNotMatch(out, /trapped/, 'no SIGTRAP was ever delivered');
    assert.equal(c.exitCode, null);
  });

  it('a default-SIGTRAP target: signal masks unchanged, no trap flag left (the process lives on)', async () => {
    const t = await Target.start(['futex=3', 'read=1', 'sleep=1', 'busy=1', 'signals=1']);
    targets.push(t);
    await sleep(200); // threads mid-creation run with every signal blocked for a moment
    const tids = readdirSync(`/proc/${t.pid}/task`);
    // While a handler runs, the kernel blocks its own signal in that thread: the signal thread's
    // SIGALRM/SIGUSR2 bits come and go at 1 kHz, so they are left out here; that those signals
    // still arrive is checked by the target's own counters below.
    const handled = (1n << 13n) | (1n << 11n);
    const masks = (): string[] => tids.map((tid) => (maskOf(`/proc/${t.pid}/task/${tid}/status`, 'SigBlk') & ~handled).toString(16));
    const before = masks();
    for (let i = 0; i < 10; i++) {
      assert.equal(gettidEverywhere(t.pid).injectionMode, 'code');
      await sleep(5);
    }
    assert.deepEqual(masks(), before);
    // A trap flag left set would kill the target with SIGTRAP at its next instruction.
    await sleep(100);
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.equal(counters.busy_bad, 0);
    assert.equal(counters.usr2_lost, 0);
    assert.ok((counters.sig_alrm ?? 0) > 0, 'SIGALRM still reached its handler');
    assert.ok((counters.usr2_handled ?? 0) > 0, 'SIGUSR2 still reached its handler');
  });
});
