// Decision rules on the 4-node guest's model: the gathering case, each skip reason, the
// moves-per-pass cap and the capacity a move takes from the next one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, newPlacementState, recordMove, type DecideOptions, type ProcessSample } from '../../../src/daemon/placement/index.js';
import { GiB, MiB, guest, proc } from './machines.js';

// numactl --cpunodebind=2 --interleave=all, 128 MiB, spinning on node 2's CPU.
const m = guest({ 2: { idle: 0 } });
const gathering = proc({ mem: { 0: 32, 1: 32, 2: 32, 3: 32 }, cpu: { 2: 1 }, policy: { text: 'interleave:0-3', mode: 'interleave', nodes: [0, 1, 2, 3], balancing: false } }, m);

function one(p: ProcessSample, opts: DecideOptions = {}, state = newPlacementState(), now = 1_000_000) {
  return decide([p], m, opts, state, now).decisions[0]!;
}

test('gathering: a process spread over four nodes with its CPU on node 2 moves to node 2', () => {
  const d = one(gathering);
  assert.equal(d.why, 'move');
  assert.equal(d.act, true);
  assert.deepEqual(d.best?.nodes, [2]);
  assert.deepEqual(d.best?.cpus, [2]);
  assert.deepEqual(d.best?.bytes, { 2: 128 * MiB });
  assert.equal(d.best?.bytesToMove, 96 * MiB);
  assert.ok(d.gain >= 0.1, `gain ${d.gain}`);
  assert.equal(d.gain, d.best!.score - d.current.score);
  assert.equal(d.localRatio, 0.25);
  assert.match(d.reason, /^moves to node 2: score 0\.\d\d → 0\.\d\d \(gain 0\.\d\d ≥ 0\.10\), 96 MiB to move$/);
  // Every candidate explains itself.
  assert.ok(d.candidates.every((c) => c.reason.length > 0));
  // As plain data (the API's JSON): every field, the candidates and words included.
  const json = JSON.parse(JSON.stringify(d)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json).sort(), ['act', 'best', 'candidates', 'comm', 'current', 'gain', 'localRatio', 'pid', 'reason', 'start', 'why']);
  assert.equal(json.reason, d.reason);
  assert.deepEqual(json.candidates, JSON.parse(JSON.stringify(d.candidates)));
});

test('a process already at least 90% local is not moved', () => {
  const d = one(proc({ mem: { 2: 120, 0: 8 }, cpu: { 2: 1 } }, m));
  assert.equal(d.why, 'already-local');
  assert.equal(d.act, false);
  assert.match(d.reason, /94% of its memory/);
});

test('a fully local process stays on its score alone when the locality rule is off', () => {
  const d = one(proc({ mem: { 2: 128 }, cpu: { 2: 1 } }, m), { localityToSkip: 2 });
  assert.equal(d.act, false);
  assert.equal(d.why, 'no-better');
  assert.deepEqual(d.candidates[0]?.nodes, [2]);
  assert.ok(Math.abs(d.gain) < 1e-12, 'staying put is the best candidate itself');
});

test('a moved process is left alone for the cooldown, then considered again', () => {
  const state = newPlacementState();
  recordMove(state, gathering.pid, gathering.start, 0);
  assert.equal(one(gathering, { cooldownMs: 60_000 }, state, 59_999).why, 'cooldown');
  assert.equal(one(gathering, { cooldownMs: 60_000 }, state, 60_000).why, 'move');
  // The cooldown is per process: the same pid with another start time is another process.
  assert.equal(one({ ...gathering, start: 2 }, { cooldownMs: 60_000 }, state, 1).why, 'move');
});

test('small processes are left alone: under minBytes of memory or minCpu of CPU', () => {
  const small = proc({ mem: { 0: 16, 1: 16 }, cpu: { 2: 1 } }, m);
  assert.equal(one(small).why, 'too-small');
  assert.equal(one(small, { minBytes: 8 * MiB }).why, 'move');
  const idle = { ...gathering, cpuUsed: 0.05, cpuPerNode: { 2: 0.05 } };
  assert.equal(one(idle).why, 'too-small');
  assert.equal(one(idle, { minCpu: 0 }).why, 'move');
});

test('the first look waits for CPU use to be measured', () => {
  assert.equal(one({ ...gathering, cpuMeasured: false }).why, 'measuring');
});

test('keepInterleaved leaves interleaved processes alone (numad -K)', () => {
  assert.equal(one(gathering, { keepInterleaved: true }).why, 'interleaved');
});

test('a gain under the threshold is not worth a move', () => {
  const d = one(gathering, { threshold: 0.5 });
  assert.equal(d.why, 'below-threshold');
  assert.equal(d.act, false);
  assert.deepEqual(d.best?.nodes, [2], 'the best candidate is still shown');
});

test('no room: no candidate holds all its memory', () => {
  // Its cpuset allows memory on nodes 2-3 only, and both are full.
  const full = guest({ 2: { freeGiB: 0, idle: 0 }, 3: { freeGiB: 0 } });
  const p = proc({ mem: { 0: 512, 1: 512 }, cpu: { 3: 1 }, mems: [2, 3] }, full);
  const d = decide([p], full, {}, newPlacementState(), 0).decisions[0]!;
  assert.equal(d.why, 'no-room');
  assert.equal(d.best, null);
  assert.ok(d.candidates.length > 0 && d.candidates.every((c) => !c.fits));
});

test('at most maxMoves moves a pass, the largest gain first; the others wait', () => {
  // a: a quarter local at mean distance 20 (node 2's view of 0-3): distance 0.5 → 1, locality
  // 1 → (7/12 + 1) / 2: gain ≈ 0.5 × 0.5 - 0.2 × 0.21 = 0.21.
  const a = proc({ pid: 1, mem: { 0: 64, 1: 64, 2: 64, 3: 64 }, cpu: { 2: 1 } }, m);
  // b: three quarters at distance 30 from node 3: distance 0.4 → 1, locality 1 → (1/2 + 1) / 2:
  // ≈ 0.5 × 0.6 - 0.2 × 0.25 = 0.25.
  const b = proc({ pid: 2, mem: { 0: 192, 3: 64 }, cpu: { 3: 1 } }, m);
  const pass = decide([a, b], m, { maxMoves: 1 }, newPlacementState(), 0);
  assert.deepEqual(pass.moves.map((d) => d.pid), [2]);
  assert.deepEqual(pass.moves[0]!.best?.nodes, [3]);
  const waiting = pass.decisions[0]!;
  assert.equal(waiting.why, 'max-moves');
  assert.ok(waiting.gain >= 0.1 && waiting.gain < pass.moves[0]!.gain);
  assert.match(waiting.reason, /^waits: moving to node 2/);
  const both = decide([a, b], m, { maxMoves: 2 }, newPlacementState(), 0);
  assert.deepEqual(both.moves.map((d) => d.pid), [2, 1]);
});

test('two processes wanting one node: the second is not promised the room the first took', () => {
  // Node 2 (2 CPUs, both busy with them) has 1 GiB free; each would add 768 MiB there.
  const tight = guest({ 2: { cpus: 2, idle: 0, freeGiB: 1 } });
  const p1 = proc({ pid: 1, mem: { 0: 256, 1: 256, 3: 256, 2: 32 }, cpu: { 2: 1 } }, tight);
  const p2 = proc({ pid: 2, mem: { 0: 256, 1: 256, 3: 256, 2: 32 }, cpu: { 2: 1 } }, tight);
  // Alone, either would go to node 2.
  assert.deepEqual(decide([p2], tight, {}, newPlacementState(), 0).moves[0]?.best?.nodes, [2]);
  const pass = decide([p1, p2], tight, { maxMoves: 2 }, newPlacementState(), 0);
  assert.deepEqual(pass.moves[0]?.best?.nodes, [2]);
  let added = 0;
  for (const d of pass.moves) added += Math.max(0, (d.best!.bytes[2] ?? 0) - 32 * MiB);
  assert.ok(added <= 1 * GiB, `${added} bytes promised on node 2's 1 GiB`);
  const second = pass.decisions.find((d) => d.pid !== pass.moves[0]!.pid)!;
  assert.notDeepEqual(second.best?.nodes, [2], 'node 2 alone no longer holds the second');
  // With one move a pass, the one left waiting is explained against what the move left too.
  const one = decide([p1, p2], tight, { maxMoves: 1 }, newPlacementState(), 0);
  const waiting = one.decisions.find((d) => !d.act)!;
  assert.notDeepEqual(waiting.best?.nodes, [2]);
  assert.ok(waiting.candidates.every((c) => !(c.nodes.length === 1 && c.nodes[0] === 2 && c.fits)));
  assert.equal(pass.left[2]!.freeBytes, 1 * GiB - 768 * MiB - (added - 768 * MiB));
});

test('two processes starved on one CPU (each uses half, waits for the rest) are split, not gathered together', () => {
  // Both run on node 2's one CPU with their memory spread: each uses 0.5 and wants 1 (schedstat wait).
  const both = guest({ 2: { idle: 0 } });
  const spread = { 0: 16, 1: 16, 2: 16, 3: 16 };
  const a = { ...proc({ pid: 201, mem: spread, cpu: { 2: 0.5 } }, both), cpuWanted: 1 };
  const b = { ...proc({ pid: 202, mem: spread, cpu: { 2: 0.5 } }, both), cpuWanted: 1 };
  const pass = decide([a, b], both, { maxMoves: 2 }, newPlacementState(), 1_000_000);
  assert.equal(pass.moves.length, 2, pass.decisions.map((d) => d.reason).join('; '));
  const [x, y] = pass.moves.map((d) => d.best!.cpuNodes);
  assert.notDeepEqual(x, y, 'each gets a CPU of its own');
  // Without the wait, half a CPU each looks satisfied on node 2: the reason says what differs.
  const starved = pass.decisions.find((d) => d.pid === 201)!;
  assert.match(starved.candidates.map((c) => c.reason).join(' '), /1\.0 wanted \(it waits for a CPU\)/);
});
