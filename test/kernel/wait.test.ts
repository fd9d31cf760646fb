import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeWaitStatus, isEventStop, isSignalDeliveryStop, isSyscallStop } from '../../src/kernel/wait.js';

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
