// applyCommands: the seeds' syntax, every line checked before anything changes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NumapolError } from '../../src/errors.js';
import { applyCommands, parseApplyText } from '../../src/ops/apply.js';
import { targetStarter } from '../targets/target.js';
import { heapStart, taskPolicyWord, tidsOf, vmaPolicyWord } from './policy-test-helpers.js';

const start = targetStarter();

describe('applyCommands', () => {
  it('process, VMA and range lines in one stop; migrate lines after', async () => {
    const t = await start(['futex=2', 'busy=1']);
    const m = await t.command('alloc 1', /allocated 0x([0-9a-f]+) (\d+)/);
    const a = BigInt(`0x${m[1]}`);
    const heap = heapStart(t.pid).toString(16);
    const text = [
      '# seeds syntax',
      'bind=0',
      `${heap} interleave=0`,
      `${a.toString(16)}-${(a + 0x10000n).toString(16)} prefer=0`,
      `${a.toString(16)} N0>0`,
      '',
    ].join('\n');
    const r = await applyCommands(t.pid, text);
    assert.deepEqual(r.lines.map((l) => [l.line, l.kind]), [[2, 'process'], [3, 'range'], [4, 'range'], [5, 'migrate']]);
    for (const tid of tidsOf(t.pid)) assert.equal(taskPolicyWord(t.pid, tid), 'bind:0');
    assert.equal(vmaPolicyWord(t.pid, heapStart(t.pid)), 'interleave:0');
    assert.equal(vmaPolicyWord(t.pid, a), 'prefer:0');
    assert.equal(vmaPolicyWord(t.pid, a + 0x10000n), 'bind:0', 'the rest of the VMA shows the task policy');
    const mig = r.lines[3]!.migrate!;
    assert.equal(mig.failed, 0);
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.equal(counters.busy_bad, 0);
  });

  it('a bad line fails with its number and nothing changes', async () => {
    const t = await start(['futex=1']);
    const heap = heapStart(t.pid).toString(16);
    for (const [text, line, re] of [
      [`bind=0\n${heap} interleave=0\nbind=9`, 3, /node/],
      [`bind=0\n1000-2000 bind=0`, 2, /not mapped/],
      [`\n\nbogus=1`, 3, /bogus/],
      [`${heap}`, 1, /no policy/],
      [`${heap} N0>`, 1, /.+/],
    ] as const) {
      await assert.rejects(applyCommands(t.pid, text), (e: unknown) => {
        assert.ok(e instanceof NumapolError, String(e));
        assert.equal(e.details.line, line, e.message);
        assert.match(e.message, new RegExp(`^line ${line}: `));
        assert.match(e.message, re);
        return true;
      });
    }
    assert.throws(() => parseApplyText('# only a comment\n', t.pid), /nothing to apply/);
    for (const tid of tidsOf(t.pid)) assert.equal(taskPolicyWord(t.pid, tid), 'default');
    assert.equal(vmaPolicyWord(t.pid, heapStart(t.pid)), 'default');
  });
});
