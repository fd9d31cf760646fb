import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { boostScheduling } from '../../src/inject/boost.js';
import { SCHED_FIFO, SCHED_OTHER, SCHED_RESET_ON_FORK, threadNice, threadPolicy } from '../../src/kernel/sched.js';

/** The calling thread's class and nice value, as /proc shows them (the oracle). */
function procSched(): { policy: number; nice: number } {
  const stat = execFileSync('cat', [`/proc/${process.pid}/task/${process.pid}/stat`], { encoding: 'utf8' });
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 19 (nice) and 41 (policy), counted from the state (field 3).
  return { nice: Number(f[19 - 3]), policy: Number(f[41 - 3]) };
}

describe('raising the tracer thread\'s priority while a process is stopped', () => {
  it('raises it (SCHED_FIFO when allowed, else a lower nice value), and puts it back as it was', () => {
    const before = procSched();
    assert.equal(threadPolicy() & ~SCHED_RESET_ON_FORK, before.policy);
    assert.equal(threadNice(), before.nice);
    const b = boostScheduling(true);
    const during = procSched();
    if (b.how === 'fifo') {
      assert.equal(during.policy, SCHED_FIFO);
      assert.equal(threadPolicy() & SCHED_RESET_ON_FORK, SCHED_RESET_ON_FORK, 'nothing it starts inherits the class');
    } else if (b.how === 'nice') {
      assert.ok(during.nice < before.nice);
    } else {
      assert.deepEqual(during, before);
    }
    b.lower();
    assert.deepEqual(procSched(), before, 'lowered while every thread of the target is stopped');
    b.raise();
    if (b.how !== 'none') assert.notDeepEqual(procSched(), before);
    b.restore();
    assert.deepEqual(procSched(), before);
    assert.equal(threadPolicy(), SCHED_OTHER);
  });

  it('does nothing when asked not to, or when the thread is not in the normal class', () => {
    const before = procSched();
    const off = boostScheduling(false);
    assert.equal(off.how, 'off');
    assert.deepEqual(procSched(), before);
    off.restore();
    assert.deepEqual(procSched(), before);
  });
});
