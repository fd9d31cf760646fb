import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getRegs, peekWord, ptraceDetach, ptraceInterrupt, ptraceSeize } from '../../src/kernel/ptrace.js';
import { processVmRead, processVmWrite } from '../../src/kernel/remote-memory.js';
import { SyscallError } from '../../src/kernel/syscall-error.js';
import { wait4, WNOHANG } from '../../src/kernel/wait.js';
import { hasInsnAt } from '../../src/inject/syscall-insn.js';
import { X86_64_REGS } from '../../src/inject/arch/x86_64.js';
import { targetStarter } from '../targets/target.js';

const start = targetStarter();

/** Seizes and stops thread `tid`, runs `fn`, detaches. */
function stopped<T>(tid: number, fn: () => T): T {
  ptraceSeize(tid, 0);
  try {
    ptraceInterrupt(tid);
    const deadline = Date.now() + 3000;
    while (wait4(tid, WNOHANG) === undefined) assert.ok(Date.now() < deadline, 'thread stopped');
    return fn();
  } finally {
    ptraceDetach(tid, 0);
  }
}

describe('PTRACE_PEEKTEXT', { skip: process.arch !== 'x64' }, () => {
  it('reads the words process_vm_readv reads, a word of all ones included, and names a bad address', async () => {
    const t = await start([]);
    stopped(t.pid, () => {
      const regs = getRegs(t.pid);
      const rip = regs.readBigUInt64LE(X86_64_REGS.rip) & ~7n;
      for (let k = -4n; k <= 4n; k++) {
        const at = rip + 8n * k;
        assert.equal(peekWord(t.pid, at), processVmRead(t.pid, at, 8).readBigUInt64LE(0), `word at 0x${at.toString(16)}`);
      }
      // Dead stack below the red zone of a thread stopped in a syscall: free to use a moment.
      const at = (regs.readBigUInt64LE(X86_64_REGS.rsp) - 512n) & ~7n;
      const before = processVmRead(t.pid, at, 8);
      processVmWrite(t.pid, at, Buffer.alloc(8, 0xff));
      try {
        assert.equal(peekWord(t.pid, at), (1n << 64n) - 1n, 'all ones is a word, not an error');
      } finally {
        processVmWrite(t.pid, at, before);
      }
      assert.throws(() => peekWord(t.pid, 8n), (e: unknown) => e instanceof SyscallError && /PTRACE_PEEKTEXT/.test(e.message));
    });
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
  });

  it('finds an instruction at any offset in its word, across two words too', async () => {
    const t = await start([]);
    stopped(t.pid, () => {
      const regs = getRegs(t.pid);
      const base = (regs.readBigUInt64LE(X86_64_REGS.rip) & ~7n) - 16n;
      const bytes = processVmRead(t.pid, base, 32);
      for (let off = 0; off < 24; off++) {
        const insn = bytes.subarray(off, off + 2);
        assert.equal(hasInsnAt(t.pid, base + BigInt(off), insn), true, `offset ${off}`);
        const other = Buffer.from([insn[0]!, insn[1]! ^ 0x40]);
        assert.equal(hasInsnAt(t.pid, base + BigInt(off), other), false, `offset ${off}, other bytes`);
      }
    });
    await t.finish();
  });
});
