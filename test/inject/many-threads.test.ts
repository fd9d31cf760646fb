import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withStoppedProcess } from '../../src/inject/index.js';
import { targetStarter } from '../targets/target.js';
import { bindAllToNode0, MPOL_BIND, sleep, threadPolicyWord } from './helpers.js';

const start = targetStarter();

describe('many and changing threads', () => {
  it('changes all of 250+ threads', async () => {
    const t = await start(['futex=200', 'sleep=20', 'busy=2', 'read=30']);
    let tids: readonly number[] = [];
    withStoppedProcess(t.pid, {}, (s) => {
      tids = s.threads;
      assert.deepEqual(bindAllToNode0(s), []);
    });
    assert.equal(tids.length, 254);
    for (const tid of tids) assert.equal(threadPolicyWord(t.pid, tid), 'bind:0');
    const { counters, threads } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.equal(counters.short_sleeps, 0);
    assert.equal(counters.busy_bad, 0);
    assert.equal(threads.length, 254);
    assert.ok(threads.every((r) => r.mode === MPOL_BIND && r.mask === 1n));
  });

  it('stops a process that creates and ends threads all the time; new threads inherit the policy', async () => {
    const t = await start(['spawn=1', 'futex=2', 'busy=1']);
    await sleep(100);
    let skipped = 0;
    for (let i = 0; i < 5; i++) {
      withStoppedProcess(t.pid, {}, (s) => {
        skipped += s.skipped.length;
        assert.deepEqual(bindAllToNode0(s), []);
      });
      await sleep(20);
    }
    await t.mark();
    await sleep(200);
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.equal(counters.busy_bad, 0);
    assert.ok((counters.spawned_after_mark ?? 0) > 10, `spawned_after_mark=${counters.spawned_after_mark}`);
    assert.equal(counters.bind_after_mark, counters.spawned_after_mark, 'every thread created after the change has the policy');
    void skipped; // threads that exited between listing and seizing are skipped, not errors
  });
});
