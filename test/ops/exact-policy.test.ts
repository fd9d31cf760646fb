// exactThreadPolicies and show --exact: what each thread's own get_mempolicy says, including
// flags numa_maps inference cannot separate from VMA policies.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exactThreadPolicies } from '../../src/ops/exact-policy.js';
import { setProcessPolicy } from '../../src/ops/set-policy.js';
import { setRangePolicy } from '../../src/ops/set-range-policy.js';
import { showProcess } from '../../src/ops/show.js';
import { targetStarter } from '../targets/target.js';
import { tidsOf } from './policy-test-helpers.js';

const start = targetStarter();

describe('exactThreadPolicies', () => {
  it("agrees with each thread's own report, also where numa_maps inference cannot tell", async () => {
    const t = await start(['futex=3', 'sleep=1']);
    setProcessPolicy(t.pid, 'bind=static:0', { threads: 'main' });
    const other = tidsOf(t.pid).find((x) => x !== t.pid)!;
    setProcessPolicy(t.pid, 'interleave=0', { threads: [other] });
    // Most VMAs get their own policy: inference from numa_maps now sees prefer:0 for every thread.
    for (const v of ['[heap]', '[stack]', '*workload*']) setRangePolicy(t.pid, 'prefer=0', { vma: v });
    const exact = exactThreadPolicies(t.pid);
    const byTid = new Map(exact.map((e) => [e.tid, e.policyText] as const));
    assert.equal(byTid.get(t.pid), 'bind=static:0');
    assert.equal(byTid.get(other), 'interleave:0');
    const shown = showProcess(t.pid, { exact: true });
    assert.ok(shown.threads.every((x) => x.source === 'get_mempolicy'));
    assert.equal(shown.threads.find((x) => x.tid === t.pid)?.policyText, 'bind=static:0');
    const { threads } = await t.finish();
    for (const th of threads) {
      const e = exact.find((x) => x.tid === th.tid);
      if (e === undefined) continue; // the controller's report comes from after
      const mode = { default: 0, preferred: 1, bind: 2, interleave: 3, local: 4 }[e.policy.mode as 'default'];
      assert.equal(th.mode & 0xff, mode, `thread ${th.tid} (${th.kind})`);
    }
  });
});
