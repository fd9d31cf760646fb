/**
 * Regression test for raw addresses of movable buffers (kernel/pinned.ts): register sets,
 * signal masks and remote memory go through the kernel by address, while the GC runs as often
 * as we can make it. Before the fix PTRACE_SETREGSET could read garbage (EIO) or a stale mask.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { getRegs, getSigmask, ptraceDetach, ptraceInterrupt, ptraceSeize, setRegs, setSigmask } from '../../src/kernel/ptrace.js';
import { processVmRead, processVmWrite } from '../../src/kernel/remote-memory.js';
import { wait4, WNOHANG } from '../../src/kernel/wait.js';
import { withStoppedProcess } from '../../src/inject/index.js';
import { X86_64_REGS } from '../../src/inject/arch/x86_64.js';
import { targetStarter } from '../targets/target.js';

const start = targetStarter();

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (opts?: { type: 'minor' | 'major' }) => void;

/** Small short-lived objects and typed arrays: work for the scavenger, moves for the heap. */
function churn(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const b = Buffer.alloc(8 + (i % 56));
    b[0] = i;
    sum += b[0] + [i, i + 1].length + { i }.i;
  }
  return sum;
}

describe('kernel buffers under GC pressure', { skip: process.arch !== 'x64' }, () => {
  it('register and signal-mask round trips stay exact while the GC runs', async () => {
    const t = await start(['futex=2']);
    const tid = Number(readdirSync(`/proc/${t.pid}/task`).find((x) => Number(x) !== t.pid));
    ptraceSeize(tid, 0);
    ptraceInterrupt(tid);
    const deadline = Date.now() + 3000;
    while (wait4(tid, WNOHANG) === undefined) assert.ok(Date.now() < deadline, 'thread stopped');
    const saved = getRegs(tid);
    const savedMask = getSigmask(tid);
    try {
      for (let i = 0; i < 3000; i++) {
        // r12 is callee-saved and free to vary: the thread gets its saved value back below.
        const regs = Buffer.from(saved);
        const value = BigInt(i) * 0x1000193n + 7n;
        regs.writeBigUInt64LE(value, X86_64_REGS.r12);
        churn(i % 50);
        if (i % 97 === 0) gc({ type: i % 2 ? 'minor' : 'major' });
        setRegs(tid, regs);
        churn(20);
        const back = getRegs(tid);
        assert.equal(back.length, saved.length);
        assert.equal(back.readBigUInt64LE(X86_64_REGS.r12), value, `round ${i}`);
        assert.equal(back.readBigUInt64LE(X86_64_REGS.fs_base), saved.readBigUInt64LE(X86_64_REGS.fs_base));
        const mask = BigInt(i) << 20n;
        setSigmask(tid, mask);
        churn(10);
        // SIGKILL and SIGSTOP (bits 8 and 18) can never be blocked: outside our pattern.
        assert.equal(getSigmask(tid), mask, `mask round ${i}`);
      }
    } finally {
      setRegs(tid, saved);
      setSigmask(tid, savedMask);
      ptraceDetach(tid, 0);
    }
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
  });

  it('process_vm_readv/writev of small buffers are exact while the GC runs', async () => {
    const t = await start(['futex=1']);
    withStoppedProcess(t.pid, {}, (s) => {
      const addr = s.scratch(Buffer.alloc(64));
      // The scratch mapping is made by the next injection (or readMemory).
      s.readMemory(addr, 64);
      for (let i = 0; i < 3000; i++) {
        const data = Buffer.alloc(1 + (i % 63), i & 0xff);
        data[0] = (i * 7) & 0xff;
        if (i % 89 === 0) gc({ type: 'minor' });
        processVmWrite(t.pid, addr, data);
        churn(15);
        assert.deepEqual(processVmRead(t.pid, addr, data.length), data, `round ${i}`);
      }
    });
    await t.finish();
  });

  it('injections stay correct with forced GCs between them', async () => {
    const t = await start(['futex=3', 'sleep=1', 'read=1']);
    for (let round = 0; round < 30; round++) {
      withStoppedProcess(t.pid, {}, (s) => {
        for (const tid of s.threads) {
          churn(200);
          if (tid % 3 === round % 3) gc({ type: 'minor' });
          assert.deepEqual(s.remoteSyscalls(tid, [{ name: 'gettid', args: [] }, { name: 'gettid', args: [] }]), [
            { ok: true, value: BigInt(tid) }, { ok: true, value: BigInt(tid) },
          ]);
        }
      });
    }
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.equal(counters.short_sleeps, 0);
  });
});
