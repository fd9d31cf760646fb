import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { describe, it } from 'node:test';
import { currentArch } from '../../src/inject/arch/index.js';
import { openTasks, seizeAll } from '../../src/inject/seize.js';
import { findNetGadgets, syscallInsnBehind } from '../../src/inject/syscall-insn.js';
import { readMaps } from '../../src/procfs/maps.js';
import { detachThread, TracedThread } from '../../src/inject/thread-state.js';
import { processVmRead } from '../../src/kernel/remote-memory.js';
import { targetStarter } from '../targets/target.js';

const start = targetStarter();

describe('syscallInsnBehind', { skip: process.arch !== 'x64' }, () => {
  it('gives a blocked thread\'s own syscall instruction (executable, 0f 05) and nothing for a thread in user mode', async () => {
    const t = await start(['futex=2', 'busy=1']);
    const arch = currentArch();
    const traced: TracedThread[] = [];
    const tasks = openTasks(t.pid);
    try {
      seizeAll(t.pid, tasks, 0, 3000, traced);
      const maps = readMaps(t.pid);
      const found = traced.map((x) => syscallInsnBehind(x, arch));
      const blocked = found.filter((a): a is bigint => a !== undefined);
      // The main thread (read on stdin), the controller and the futex waiters are in syscalls;
      // the busy thread is not (the interrupt stopped it in user mode), unless it was preempted
      // in a syscall of its own, which it makes none of.
      assert.ok(blocked.length >= 3, `found ${blocked.length} of ${traced.length}`);
      assert.ok(found.some((a) => a === undefined), 'the busy thread has none');
      for (const at of blocked) {
        assert.deepEqual(processVmRead(t.pid, at, 2), Buffer.from([0x0f, 0x05]));
        const m = maps.find((x) => x.start <= at && at < x.end);
        assert.ok(m !== undefined && m.perms[2] === 'x', `0x${at.toString(16)} in ${m?.path ?? 'nothing'} (${m?.perms ?? ''})`);
      }
    } finally {
      for (const x of traced) detachThread(x, 3000);
      tasks.close();
    }
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.equal(counters.busy_bad, 0);
  });
});

describe('findNetGadgets: the one-shot safety net\'s sequences', { skip: process.arch !== 'x64' }, () => {
  const arch = currentArch();
  const want = arch.netGadgets!;
  const holds = (pid: number, at: bigint, patterns: readonly Buffer[]): boolean => patterns.some((p) => processVmRead(pid, at, p.length).equals(p));
  const offsetIn = (pid: number, at: bigint): string => {
    const m = readMaps(pid).find((x) => at >= x.start && at < x.end)!;
    return `${m.path}+${(m.offset + at - m.start).toString(16)}`;
  };

  it('a second process mapping the same files gets them at the same file offsets; where the files moved, it finds them anew', async () => {
    const kids = [0, 1, 2].map(() => spawn('sleep', ['60'], { stdio: 'ignore' }));
    try {
      const [a, b, c] = kids.map((k) => k.pid!) as [number, number, number];
      // Each has become `sleep` (exec done), however loaded the machine.
      const isSleep = (pid: number): boolean => {
        try {
          return readlinkSync(`/proc/${pid}/exe`).endsWith('/sleep');
        } catch {
          return false;
        }
      };
      for (let i = 0; i < 6000 && ![a, b, c].every(isSleep); i++) await new Promise((r) => setTimeout(r, 10));
      const ga = findNetGadgets(a, arch)!;
      const gb = findNetGadgets(b, arch)!;
      for (const [pid, g] of [[a, ga], [b, gb]] as const) {
        assert.ok(holds(pid, g.syscallRet, [want.syscallRet]), `syscall; ret in ${pid}`);
        assert.ok(holds(pid, g.sigreturn, want.sigreturn), `rt_sigreturn in ${pid}`);
      }
      assert.equal(offsetIn(b, gb.sigreturn), offsetIn(a, ga.sigreturn));
      assert.equal(offsetIn(b, gb.syscallRet), offsetIn(a, ga.syscallRet));
      // The same files, said to lie 16 bytes further: what was learnt does not hold there, and
      // the sequences are looked for again.
      const shifted = readMaps(c).map((m) => (m.perms[2] === 'x' ? { ...m, start: m.start + 16n, end: m.end + 16n } : m));
      const gc = findNetGadgets(c, arch, shifted)!;
      assert.ok(holds(c, gc.syscallRet, [want.syscallRet]) && holds(c, gc.sigreturn, want.sigreturn));
    } finally {
      for (const k of kids) k.kill('SIGKILL');
    }
  });
});
