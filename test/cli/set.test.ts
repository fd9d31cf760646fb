// `numapol set`, `home-node` and `show --exact` as a user runs them: output, errors, exit codes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { targetStarter } from '../targets/target.js';
import { numapol, STACK_LINE } from './helpers.js';

const start = targetStarter();

function taskPolicyWord(pid: number, tid: number): string {
  return (readFileSync(`/proc/${pid}/task/${tid}/numa_maps`, 'utf8').split('\n')[0] ?? '').split(' ')[1] ?? '';
}

describe('numapol set', () => {
  it('sets every thread; --json has before/after per thread; show --exact reads it back', async () => {
    const t = await start(['futex=2', 'sleep=1']);
    const r = numapol(['set', String(t.pid), 'bind=0', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const j = JSON.parse(r.stdout) as { policy: string; threads: { tid: number; before: string; after: string }[]; stop: { stoppedMs: number } };
    assert.equal(j.policy, 'bind:0');
    assert.equal(j.threads.length, 5);
    assert.ok(j.threads.every((x) => x.before === 'default' && x.after === 'bind:0'));
    for (const x of j.threads) assert.equal(taskPolicyWord(t.pid, x.tid), 'bind:0');
    const text = numapol(['set', String(t.pid), 'prefer=0', '--threads', 'main']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`${t.pid}\\s+bind:0\\s+prefer:0`));
    const show = numapol(['show', String(t.pid), '--exact', '--json']);
    assert.equal(show.status, 0, show.stderr);
    const s = JSON.parse(show.stdout) as { threads: { tid: number; policyText: string; source: string }[] };
    assert.deepEqual(s.threads.find((x) => x.tid === t.pid), { ...s.threads.find((x) => x.tid === t.pid), policyText: 'prefer:0', source: 'get_mempolicy' });
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.equal(counters.short_sleeps, 0);
  });

  it('--range and --vma set a VMA policy; --dry-run changes nothing', async () => {
    const t = await start(['futex=1']);
    const m = await t.command('map 1', /mapped 0x([0-9a-f]+) (\d+)/);
    const dry = numapol(['set', String(t.pid), 'interleave=0', '--range', `${m[1]}+1m`, '--dry-run']);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /would set interleave:0 on 1 range/);
    const r = numapol(['set', String(t.pid), 'interleave=0', '--range', `${m[1]}+1m`, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { ranges: { start: string; before: string; after: string }[] };
    assert.deepEqual(j.ranges.map((x) => [x.start, x.before, x.after]), [[`0x${m[1]}`, 'default', 'interleave:0']]);
    const h = numapol(['set', String(t.pid), 'bind=0', '--vma', '[heap]', '--move']);
    assert.equal(h.status, 0, h.stderr);
    assert.match(h.stdout, /\[heap\]\s+default\s+bind:0/);
    const hn = numapol(['home-node', String(t.pid), '--vma', '[heap]', '0']);
    assert.equal(hn.status, 0, hn.stderr);
  });

  it('usage errors exit 2 with one line; a seccomp target is refused (1) unless --allow-seccomp', async () => {
    const t = await start(['futex=1', 'seccomp=errno']);
    for (const args of [
      ['set', String(t.pid)],
      ['set', String(t.pid), 'bogus=1'],
      ['set', String(t.pid), 'bind=0', '--threads', '12345678'],
      ['set', String(t.pid), 'bind=0', '--move'],
      ['set', String(t.pid), 'bind=0', '--range', 'zz'],
    ]) {
      const r = numapol(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.doesNotMatch(r.stderr, STACK_LINE);
    }
    assert.match(numapol(['set', String(t.pid), 'bind=0', '--threads', '12345678']).stderr, /no thread 12345678/);
    const refused = numapol(['set', String(t.pid), 'bind=0']);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /seccomp filter/);
    const allowed = numapol(['set', String(t.pid), 'bind=0', '--allow-seccomp']);
    assert.equal(allowed.status, 1);
    assert.match(allowed.stderr, /EPERM/);
    assert.equal(taskPolicyWord(t.pid, t.pid), 'default');
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
  });
});
