// setRangePolicy on a live target: the VMA gets its own policy (numa_maps shows it on that VMA
// only), pages touched afterwards are still the target's own, and a dry run changes nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NumapolError } from '../../src/errors.js';
import { setRangePolicy } from '../../src/ops/set-range-policy.js';
import { Target, targetStarter } from '../targets/target.js';
import { heapStart, taskPolicyWord, tidsOf, vmaPolicyWord } from './policy-test-helpers.js';

const start = targetStarter();

async function mapped(t: Target, mib: number, verb = 'map'): Promise<{ addr: bigint; len: bigint }> {
  const m = await t.command(`${verb} ${mib}`, /(?:mapped|allocated) 0x([0-9a-f]+) (\d+)/);
  return { addr: BigInt(`0x${m[1]}`), len: BigInt(m[2]!) };
}

describe('setRangePolicy', () => {
  it('mbinds a range (START+LEN) and only that VMA shows the policy; the target touches it fine', async () => {
    const t = await start(['futex=2', 'busy=1', 'sleep=1']);
    const a = await mapped(t, 4);
    const r = setRangePolicy(t.pid, 'interleave=0', { range: { start: a.addr, end: a.addr + a.len } });
    assert.equal(r.ranges.length, 1);
    assert.deepEqual([r.ranges[0]!.before, r.ranges[0]!.after], ['default', 'interleave:0']);
    assert.equal(vmaPolicyWord(t.pid, a.addr), 'interleave:0');
    for (const tid of tidsOf(t.pid)) assert.equal(taskPolicyWord(t.pid, tid), 'default', 'task policies untouched');
    await t.command(`touch 0x${a.addr.toString(16)}`, /touched/);
    const line = (await import('node:fs')).readFileSync(`/proc/${t.pid}/numa_maps`, 'utf8').split('\n').find((l) => l.startsWith(a.addr.toString(16)));
    assert.match(line ?? '', /interleave:0 anon=1024 /, 'all 1024 pages present under the range policy');
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.equal(counters.busy_bad, 0);
    assert.equal(counters.short_sleeps, 0);
  });

  it('part of a VMA splits it; --vma [heap] names the heap; --move and --strict are accepted', async () => {
    const t = await start(['futex=1']);
    const a = await mapped(t, 1, 'alloc');
    const half = a.addr + a.len / 2n;
    const r = setRangePolicy(t.pid, 'bind=0', { range: { start: half, end: a.addr + a.len } }, { move: true, strict: true });
    assert.deepEqual(r.flags, ['move', 'strict']);
    assert.equal(vmaPolicyWord(t.pid, half), 'bind:0');
    assert.equal(vmaPolicyWord(t.pid, a.addr), 'default');
    const h = setRangePolicy(t.pid, 'prefer=0', { vma: '[heap]' });
    assert.equal(h.ranges[0]!.mapping, '[heap]');
    assert.equal(vmaPolicyWord(t.pid, heapStart(t.pid)), 'prefer:0');
    // Back to no VMA policy.
    setRangePolicy(t.pid, 'default', { vma: '[heap]' });
    assert.equal(vmaPolicyWord(t.pid, heapStart(t.pid)), 'default');
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
  });

  it('a range that is not wholly mapped is refused before anything is stopped; dry run changes nothing', async () => {
    const t = await start(['futex=1']);
    const a = await mapped(t, 1);
    assert.throws(() => setRangePolicy(t.pid, 'bind=0', { range: { start: 0x1000n, end: 0x2000n } }), (e: unknown) => e instanceof NumapolError && e.code === 'ENOMAPPING');
    const d = setRangePolicy(t.pid, 'bind=0', { range: { start: a.addr } }, { dryRun: true });
    assert.equal(d.dryRun, true);
    assert.equal(d.ranges[0]!.after, 'bind:0');
    assert.equal(vmaPolicyWord(t.pid, a.addr), 'default');
  });
});
