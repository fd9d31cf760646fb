import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withStoppedProcess } from '../../src/inject/index.js';
import { targetStarter } from '../targets/target.js';
import { MPOL_BIND, MPOL_DEFAULT } from './helpers.js';

const start = targetStarter();

describe('soak', () => {
  it('flips the policy thousands of times on a busy multithreaded target without a single fault', async () => {
    const t = await start(['futex=2', 'read=1', 'sleep=2', 'epoll=1', 'busy=2', 'signals=1', 'spawn=1']);
    let flips = 0;
    let sessions = 0;
    while (flips < 4000) {
      withStoppedProcess(t.pid, {}, (s) => {
        const mask = Buffer.alloc(8);
        mask[0] = 1;
        const addr = s.scratch(mask);
        for (let round = 0; round < 4; round++) {
          for (const tid of s.threads) {
            const bind = (flips & 1) === 0;
            const r = s.remoteSyscall(tid, 'set_mempolicy', bind ? [MPOL_BIND, addr, 65] : [MPOL_DEFAULT, 0, 0]);
            assert.equal(r.ok, true);
            flips++;
          }
        }
        for (const tid of s.threads) s.remoteSyscall(tid, 'set_mempolicy', [MPOL_DEFAULT, 0, 0]);
      });
      sessions++;
      // Let the target run between sessions, as a real caller would.
      await new Promise((r) => setImmediate(r));
    }
    const { counters } = await t.finish();
    // All counters in one message: a failure must say which one moved, and by how much.
    const seen = JSON.stringify(counters);
    assert.equal(counters.surprises, 0, seen);
    assert.equal(counters.short_sleeps, 0, seen);
    assert.equal(counters.busy_bad, 0, seen);
    assert.equal(counters.usr2_lost, 0, seen);
    assert.equal(counters.usr2_sent, counters.usr2_handled, seen);
    assert.ok((counters.eintr_epoll ?? 0) <= sessions, seen);
  });
});
