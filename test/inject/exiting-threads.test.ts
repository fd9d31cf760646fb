/**
 * Regression test: with threads created and ending all the time, PTRACE_SEIZE of a thread whose
 * exit has begun answers EPERM; that used to abort the operation with a wrong "already traced
 * by <numapol>" explanation. Such threads are now skipped as exited.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { withStoppedProcess } from '../../src/inject/index.js';
import { targetStarter } from '../targets/target.js';
import { MPOL_BIND, MPOL_DEFAULT, tracerOf } from './helpers.js';

const start = targetStarter();

describe('threads that exit while being stopped', () => {
  it('hundreds of back-to-back sessions on busy, sleeping and thread-creating threads: none refused, none left traced', async () => {
    const t = await start(['futex=4', 'sleep=2', 'busy=2', 'spawn=1']);
    const mask = Buffer.alloc(8);
    mask[0] = 1;
    let exited = 0;
    for (let i = 0; i < 400; i++) {
      withStoppedProcess(t.pid, {}, (s) => {
        exited += s.skipped.filter((k) => k.reason === 'exited').length;
        const addr = s.scratch(mask);
        for (const tid of s.threads) {
          const r = s.remoteSyscall(tid, 'set_mempolicy', i % 2 ? [MPOL_DEFAULT, 0, 0] : [MPOL_BIND, addr, 65]);
          assert.equal(r.ok, true);
        }
      });
      // No thread of the target may still be traced by us once the session returned.
      for (const line of readFileSync(`/proc/${t.pid}/status`, 'utf8').split('\n')) {
        if (line.startsWith('TracerPid:')) assert.equal(line.split(/\s+/)[1], '0', `round ${i}`);
      }
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    assert.equal(tracerOf(t.pid), 0);
    void exited;
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.equal(counters.busy_bad, 0);
  });
});
