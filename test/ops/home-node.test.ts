// setHomeNode on a live target: needs a bind (or preferred_many) VMA policy, refuses others.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NumapolError } from '../../src/errors.js';
import { setHomeNode } from '../../src/ops/home-node.js';
import { setRangePolicy } from '../../src/ops/set-range-policy.js';
import { targetStarter } from '../targets/target.js';
import { vmaPolicyWord } from './policy-test-helpers.js';

const start = targetStarter();

describe('setHomeNode', () => {
  it('sets a home node on a bind range, refuses a prefer range and a range with no policy', async () => {
    const t = await start(['futex=1']);
    const m = await t.command('map 2', /mapped 0x([0-9a-f]+) (\d+)/);
    const addr = BigInt(`0x${m[1]}`);
    const range = { start: addr, end: addr + BigInt(m[2]!) };
    assert.throws(() => setHomeNode(t.pid, { range }, 0), (e: unknown) => e instanceof NumapolError && e.code === 'ENOENT' && /no VMA in the range/.test(e.message));
    setRangePolicy(t.pid, 'prefer=0', { range });
    assert.throws(() => setHomeNode(t.pid, { range }, 0), (e: unknown) => e instanceof NumapolError && e.code === 'EOPNOTSUPP');
    setRangePolicy(t.pid, 'bind=0', { range });
    const r = setHomeNode(t.pid, { range }, 0);
    assert.deepEqual(r.ranges.map((x) => [x.policy, x.applies]), [['bind:0', true]]);
    assert.equal(vmaPolicyWord(t.pid, addr), 'bind:0', 'the policy itself is unchanged');
    assert.throws(() => setHomeNode(t.pid, { range }, 7), (e: unknown) => e instanceof NumapolError && e.usage);
    await t.command(`touch 0x${addr.toString(16)}`, /touched/);
    const { counters } = await t.finish();
    assert.equal(counters.surprises, 0);
  });
});
