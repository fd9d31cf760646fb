// The score's parts on hand-made machines, each worked out by hand from the formula in
// docs/placement.md, so a change of formula shows here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_WEIGHTS, indexMachine, initialCapacity, scoreCandidate, scoreCurrent, viewProcess, type ScoreParts } from '../../../src/daemon/placement/index.js';
import { GiB, MiB, guest, proc } from './machines.js';

const U = 0.85;
const W = DEFAULT_WEIGHTS;
const weighted = (p: ScoreParts): number => W.memory * p.memory + W.speed * p.cpu * p.distance + W.locality * p.locality + W.headroom * p.headroom;

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);
}

// The guest, its process on node 2's CPU (busy with it: no idle CPU there) with 128 MiB
// interleaved over the four nodes (numactl --cpunodebind=2 --interleave=all).
const m = guest({ 2: { idle: 0 } });
const spread = proc({ mem: { 0: 32, 1: 32, 2: 32, 3: 32 }, cpu: { 2: 1 } }, m);

test('where a spread process is now: memory and CPU covered, distance 10 / mean SLIT from its CPU to its pages', () => {
  const ix = indexMachine(m);
  const v = viewProcess(spread, ix, U);
  const cur = scoreCurrent(v, ix, initialCapacity(m, ix), W);
  // From node 2: a quarter each at 30, 20, 10, 20 → 20.
  close(cur.meanDistance, 20, 'mean distance');
  close(cur.parts.distance, 0.5, 'distance');
  close(cur.parts.memory, 1, 'memory');
  // It uses 1 CPU; node 2 offers its 0 idle + its own 1.
  close(cur.parts.cpu, 1, 'cpu');
  close(cur.parts.speed, 0.5, 'speed');
  close(cur.parts.locality, 1, 'locality');
  // Spare memory over nodes 0-3: 4 × 3 GiB free of 16 GiB; spare CPU on node 2: what it has (1)
  // less what it would like (min(1 thread, 1 / 0.85) = 1): 0.
  close(cur.parts.headroom, (12 / 16 + 0) / 2, 'headroom');
  close(cur.score, weighted(cur.parts), 'score');
  assert.deepEqual(cur.nodes, [0, 1, 2, 3]);
  assert.deepEqual(cur.cpuNodes, [2]);
  assert.equal(v.localRatio, 0.25);
});

test('a single node candidate: all its memory and CPU there, locality counts what already is', () => {
  const ix = indexMachine(m);
  const v = viewProcess(spread, ix, U);
  const cap = initialCapacity(m, ix);
  const on2 = scoreCandidate(v, [ix.indexOf.get(2)!], ix, cap, W);
  close(on2.parts.distance, 1, 'distance');
  close(on2.parts.memory, 1, 'memory');
  close(on2.parts.cpu, 1, 'cpu');
  // All its CPU is on node 2; its memory, a quarter each, is at 30, 20, 10, 20 from node 2.
  close(on2.parts.locality, ((10 / 30 + 10 / 20 + 1 + 10 / 20) / 4 + 1) / 2, 'locality');
  // 3 GiB free + its own 32 MiB, less its 128 MiB, of 4 GiB; no CPU spare.
  close(on2.parts.headroom, ((3 * GiB + 32 * MiB - 128 * MiB) / (4 * GiB) + 0) / 2, 'headroom');
  assert.equal(on2.bytesToMove, 96 * MiB);
  assert.deepEqual(on2.bytes, { 2: 128 * MiB });
  assert.deepEqual(on2.cpus, [2]);
  assert.match(on2.reason, /^node 2: 3\.0 GiB free for 128 MiB, 0\.0 CPUs idle \(\+1\.0 its own\) for 1\.0 used, 25% of its memory already there$/);

  const on0 = scoreCandidate(v, [ix.indexOf.get(0)!], ix, cap, W);
  // From node 0 its memory is at 10, 20, 30, 30 and its CPU (node 2) at 30.
  close(on0.parts.locality, ((1 + 10 / 20 + 10 / 30 + 10 / 30) / 4 + 10 / 30) / 2, 'locality on 0');
  assert.ok(on2.score > on0.score, 'the node its threads run on wins over an equally free one');
});

test('a two-node candidate fills the home first and pays the distance between them', () => {
  // Node 2 has 64 MiB free: the process's 32 MiB there plus 64 MiB leave 32 MiB for node 1 or 3.
  const small = guest({ 2: { idle: 0, freeGiB: 64 / 1024 }, 1: { freeGiB: 2 }, 3: { freeGiB: 1 } });
  const ix = indexMachine(small);
  const v = viewProcess(spread, ix, U);
  const c = scoreCandidate(v, [ix.indexOf.get(2)!, ix.indexOf.get(1)!], ix, initialCapacity(small, ix), W);
  assert.deepEqual(c.bytes, { 1: 32 * MiB, 2: 96 * MiB });
  // CPU on node 2 reaching ¾ of its memory at 10 and ¼ at 20.
  close(c.meanDistance, 0.75 * 10 + 0.25 * 20, 'mean distance');
  assert.equal(c.home, 2);
  assert.deepEqual(c.nodes, [1, 2]);
  assert.match(c.reason, /^nodes 1-2 \(from 2\), CPUs on node 2: /);
});

test('memory that does not fit lowers the memory part and the candidate does not fit', () => {
  const tight = guest({ 0: { freeGiB: 0 } });
  const ix = indexMachine(tight);
  const big = proc({ mem: { 2: 1024 }, cpu: { 2: 1 } }, tight);
  const v = viewProcess(big, ix, U);
  const c = scoreCandidate(v, [ix.indexOf.get(0)!], ix, initialCapacity(tight, ix), W);
  close(c.parts.memory, 0, 'memory');
  assert.equal(c.fits, false);
  assert.match(c.reason, /1\.0 GiB would not fit/);
});

test('CPU: the CPU it uses against idle CPUs; headroom against use / 0.85, one CPU per thread at most', () => {
  const busy = guest({ 1: { cpus: 2, idle: 1.5 } });
  const ix = indexMachine(busy);
  // 1.7 cores over 2 threads: it would like min(2 threads, 1.7 / 0.85) = 2.
  const p = proc({ mem: { 0: 512 }, cpu: { 0: 1.7 }, threads: 2 }, busy);
  const v = viewProcess(p, ix, U);
  close(v.need, 1.7, 'need');
  close(v.demand, 2, 'demand');
  const c = scoreCandidate(v, [ix.indexOf.get(1)!], ix, initialCapacity(busy, ix), W);
  // Node 1 has 1.5 idle for its 1.7: the set grows no further here (one member asked for).
  close(c.parts.cpu, 1.5 / 1.7, 'cpu');
  close(c.parts.speed, 1.5 / 1.7, 'speed: all its memory would be local');
  // No CPU spare (1.5 < 2); memory: 3 GiB free less 512 MiB, of 4 GiB.
  close(c.parts.headroom, ((3 * GiB - 512 * MiB) / (4 * GiB) + 0) / 2, 'headroom');
});
