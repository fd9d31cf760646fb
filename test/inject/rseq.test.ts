import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { x86_64, X86_64_REGS } from '../../src/inject/arch/x86_64.js';
import { learnRseqSections } from '../../src/inject/injection.js';
import { TracedThread } from '../../src/inject/thread-state.js';

/** A stopped thread whose registers are already known (no ptrace request is made for them). */
function stopped(tid: number, origRax: bigint): TracedThread {
  const t = new TracedThread(tid, tid);
  t.phase = 'stopped';
  t.regs = Buffer.alloc(216);
  t.regs.writeBigInt64LE(origRax, X86_64_REGS.orig_rax);
  return t;
}

describe('learnRseqSections', () => {
  it('a thread stopped inside a syscall is in no rseq critical section (they make none): known without asking', () => {
    // Not our tracee: any ptrace request about it would fail and leave its section unknown.
    const inSyscall = stopped(1, 202n);
    learnRseqSections([inSyscall], x86_64);
    assert.equal(inSyscall.rseq, null);
  });

  it('a thread stopped in user mode has to be asked; when it cannot be, its section stays unknown', () => {
    const inUser = stopped(1, -1n);
    learnRseqSections([inUser], x86_64);
    assert.equal(inUser.rseq, undefined, 'left for the injection to read (and report)');
  });

  it('a section already known is not asked again', () => {
    const t = stopped(1, -1n);
    const cs = { start: 0x1000n, length: 0x20n, abort: 0x2000n };
    t.rseq = cs;
    learnRseqSections([t], x86_64);
    assert.equal(t.rseq, cs);
  });
});
