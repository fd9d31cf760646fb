// Inside the 4-node guest: after `numapol set`, the pages the target allocates land where the
// policy says (queried with move_pages), and --move moves the pages already there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { queryPageNodes } from '../../src/kernel/index.js';
import { setHomeNode } from '../../src/ops/home-node.js';
import { setProcessPolicy } from '../../src/ops/set-policy.js';
import { setRangePolicy } from '../../src/ops/set-range-policy.js';
import { Target, targetStarter } from '../targets/target.js';
import { topologyFromEnv } from './harness/topology.js';

const topology = topologyFromEnv();
const skip = !topology ? 'not inside the test bed (NUMAPOL_VM_TOPOLOGY unset)' : topology.nodes.length < 4 ? 'needs 4 nodes' : false;
const PAGE = 4096;
const start = targetStarter();

function placement(pid: number, addr: bigint, len: bigint): Map<number, number> {
  const addrs = BigUint64Array.from({ length: Number(len) / PAGE }, (_, i) => addr + BigInt(i * PAGE));
  const m = new Map<number, number>();
  for (const s of queryPageNodes(pid, addrs)) m.set(s, (m.get(s) ?? 0) + 1);
  return m;
}

async function region(t: Target, verb: 'alloc' | 'map', mib: number): Promise<{ addr: bigint; len: bigint }> {
  const m = await t.command(`${verb} ${mib}`, /(?:allocated|mapped) 0x([0-9a-f]+) (\d+)/);
  return { addr: BigInt(`0x${m[1]}`), len: BigInt(m[2]!) };
}

test('set PID bind=2: the target allocates on node 2 afterwards', { skip }, async () => {
  const t = await start(['futex=2', 'busy=1']);
  setProcessPolicy(t.pid, 'bind=2');
  const r = await region(t, 'alloc', 8);
  assert.deepEqual([...placement(t.pid, r.addr, r.len)], [[2, 2048]]);
  const { counters, threads } = await t.finish();
  assert.equal(counters.surprises, 0);
  assert.equal(counters.busy_bad, 0);
  assert.ok(threads.every((x) => x.mode === 2 && x.mask === 4n));
});

test('set --range interleave=1-3: pages touched later spread over 1-3', { skip }, async () => {
  const t = await start(['futex=1']);
  const r = await region(t, 'map', 12);
  setRangePolicy(t.pid, 'interleave=1-3', { range: { start: r.addr, end: r.addr + r.len } });
  await t.command(`touch 0x${r.addr.toString(16)}`, /touched/);
  const p = placement(t.pid, r.addr, r.len);
  assert.deepEqual([...p.keys()].sort(), [1, 2, 3], JSON.stringify([...p]));
  for (const n of [1, 2, 3]) assert.ok(Math.abs((p.get(n) ?? 0) - 1024) <= 2, JSON.stringify([...p]));
});

test('set --range bind=3 --move moves the pages already there; home-node on a bind range', { skip }, async () => {
  const t = await start(['futex=1']);
  setProcessPolicy(t.pid, 'bind=0');
  const r = await region(t, 'alloc', 8);
  assert.deepEqual([...placement(t.pid, r.addr, r.len)], [[0, 2048]]);
  setRangePolicy(t.pid, 'bind=3', { range: { start: r.addr, end: r.addr + r.len } }, { move: true });
  assert.deepEqual([...placement(t.pid, r.addr, r.len)], [[3, 2048]]);

  const h = await region(t, 'map', 8);
  setRangePolicy(t.pid, 'bind=1-3', { range: { start: h.addr, end: h.addr + h.len } });
  setHomeNode(t.pid, { range: { start: h.addr, end: h.addr + h.len } }, 2);
  await t.command(`touch 0x${h.addr.toString(16)}`, /touched/);
  assert.deepEqual([...placement(t.pid, h.addr, h.len)], [[2, 2048]], 'allocations start at the home node');
});
