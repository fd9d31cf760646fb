import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { libcFunc } from '../../src/kernel/ffi.js';
import { PinnedBlock } from '../../src/kernel/pinned.js';
import { decodeWaitStatus, isEventStop, isSignalDeliveryStop, isSyscallStop, quietChildStops } from '../../src/kernel/wait.js';

describe('decodeWaitStatus', () => {
  it('decodes exits, deaths and the three kinds of ptrace stop', () => {
    assert.deepEqual(decodeWaitStatus(3 << 8), { kind: 'exited', code: 3 });
    assert.deepEqual(decodeWaitStatus(9), { kind: 'killed', signal: 9 });
    assert.deepEqual(decodeWaitStatus(0x80 | 9), { kind: 'killed', signal: 9 }); // core dumped
    const event = decodeWaitStatus((128 << 16) | (5 << 8) | 0x7f);
    assert.deepEqual(event, { kind: 'stopped', signal: 5, event: 128 });
    assert.ok(isEventStop(event) && !isSyscallStop(event) && !isSignalDeliveryStop(event));
    const groupStop = decodeWaitStatus((128 << 16) | (19 << 8) | 0x7f);
    assert.ok(isEventStop(groupStop));
    const sys = decodeWaitStatus((0x85 << 8) | 0x7f);
    assert.ok(isSyscallStop(sys) && !isEventStop(sys));
    const sig = decodeWaitStatus((14 << 8) | 0x7f);
    assert.ok(isSignalDeliveryStop(sig));
  });
});

describe('quietChildStops', () => {
  const SIGCHLD = 17;
  const SA_NOCLDSTOP = 1;
  const SIZE = 152;
  const FLAGS = 136;
  type Sigaction = (signal: number, act: number, oldact: number) => number;
  const sigaction = (): Sigaction => libcFunc<Sigaction>('int sigaction(int, uintptr_t, uintptr_t)');
  const block = new PinnedBlock(SIZE);
  /** The current SIGCHLD action: handler, flags and the first mask word. */
  const action = (): { handler: bigint; flags: number; mask: bigint } => {
    block.buf.fill(0);
    assert.equal(sigaction()(SIGCHLD, 0, block.addr), 0);
    return { handler: block.buf.readBigUInt64LE(0), flags: block.buf.readInt32LE(FLAGS), mask: block.buf.readBigUInt64LE(8) };
  };
  /** Sets the first mask word of the current action (another library changing it). */
  const setMask = (mask: bigint): void => {
    block.buf.fill(0);
    assert.equal(sigaction()(SIGCHLD, 0, block.addr), 0);
    block.buf.writeBigUInt64LE(mask, 8);
    assert.equal(sigaction()(SIGCHLD, block.addr, 0), 0);
  };

  it('silences child stops while an operation runs, twice the same way, and sees an action changed in between', async (t) => {
    // Node has a SIGCHLD handler while it has a child (libuv removes it with the last one).
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    t.after(() => child.kill());
    const before = action();
    assert.ok(before.handler > 1n, 'node has a SIGCHLD handler');
    assert.equal(before.flags & SA_NOCLDSTOP, 0);
    for (let round = 0; round < 2; round++) {
      const loud = quietChildStops();
      const during = action();
      assert.equal(during.handler, before.handler);
      assert.equal(during.flags, before.flags | SA_NOCLDSTOP);
      loud();
      assert.deepEqual(action(), before);
    }
    // Changed between two operations: the quiet action is built from the new one, and the new
    // one is what comes back.
    setMask(before.mask | (1n << 9n));
    const changed = action();
    const loud = quietChildStops();
    assert.deepEqual(action(), { ...changed, flags: changed.flags | SA_NOCLDSTOP });
    loud();
    assert.deepEqual(action(), changed);
    setMask(before.mask);
    // Child exits are still reported while stops are quiet.
    const quiet = quietChildStops();
    try {
      const late = spawn('true');
      assert.equal(await new Promise((r) => late.once('exit', r)), 0);
    } finally {
      quiet();
    }
    assert.deepEqual(action(), before);
  });
});
