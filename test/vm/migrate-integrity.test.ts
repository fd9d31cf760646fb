// Runs inside the 4-node test bed: a target keeps writing its memory while numapol migrates and
// moves it; afterwards the target checks every word itself, and the placement read back from
// the kernel must match what was asked for.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { queryPageNodes } from '../../src/kernel/index.js';
import { NumapolError } from '../../src/errors.js';
import { migrateProcess, type MigrateReport } from '../../src/ops/migrate.js';
import { movePidRange, type MoveReport } from '../../src/ops/move.js';
import { numastat } from '../../src/ops/stat.js';
import { readVmas } from '../../src/procfs/vmas.js';
import { startWriter, type Writer } from '../targets/migrate-writer.js';
import { topologyFromEnv } from './harness/topology.js';

const topology = topologyFromEnv();
const skip = !topology ? 'not inside the test bed (NUMAPOL_VM_TOPOLOGY unset)' : topology.nodes.length < 4 ? 'needs 4 nodes' : false;
const MIB = 32;
const PAGE = 4096;

/** Pages of the writer's region per node (negative keys: -errno). */
function placement(w: Writer): Map<number, number> {
  const n = Number(w.len) / PAGE;
  const addrs = BigUint64Array.from({ length: n }, (_, i) => w.addr + BigInt(i * PAGE));
  const m = new Map<number, number>();
  for (const s of queryPageNodes(w.pid, addrs)) m.set(s, (m.get(s) ?? 0) + 1);
  return m;
}

/**
 * Every page on `node`, except those the report says stayed (a page the writer keeps hot can stay
 * busy through every retry): the report must match the placement exactly, and such pages be few.
 */
function allOn(w: Writer, node: number, what: string, reportedStayed = 0): void {
  const p = placement(w);
  assert.ok(reportedStayed <= 4, `${what}: ${reportedStayed} pages stayed`);
  assert.equal(p.get(node), Number(w.len) / PAGE - reportedStayed, `${what}: every page but the ${reportedStayed} reported on node ${node}, got ${JSON.stringify([...p])}`);
}

/**
 * Pages a migrate report says stayed in the writer's region: pages that stayed may be anywhere
 * in the process (a library page, the stack), so only the VMAs of the region count.
 */
function stayedIn(w: Writer, r: MigrateReport): number {
  return r.leftovers
    .filter((l) => BigInt(l.start) < w.addr + w.len && w.addr < BigInt(l.end))
    .reduce((a, l) => a + Object.values(l.pagesPerNode).reduce((x, y) => x + y, 0), 0);
}

for (const kind of ['anon', 'file', 'shared', 'thp', 'multi'] as const) {
  test(`${kind}: migrate and move while the target writes; nothing lost or torn`, { skip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'numapol-mig-'));
    const w = await startWriter(kind, MIB, { wrap: ['numactl', '--preferred=0'], ...(kind === 'file' ? { file: join(dir, 'data') } : {}) });
    try {
      const m = await migrateProcess(w.pid, '0', '3');
      assert.equal(m.method, 'migrate_pages');
      allOn(w, 3, 'after migrate 0→3', stayedIn(w, m));

      const range = { start: w.addr, end: w.addr + w.len };
      const mv = await movePidRange(w.pid, { range, to: 1, batchPages: 1024 });
      assert.equal(mv.tally.busy, mv.failed, `only busy pages may stay: ${JSON.stringify(mv.tally)}`);
      assert.equal(mv.tally.moved + mv.tally.alreadyThere + mv.failed, Number(w.len) / PAGE, JSON.stringify(mv.tally));
      if (kind === 'multi') assert.equal(mv.segments.length, 3, 'the range spans three VMAs');
      allOn(w, 1, 'after move to 1', mv.failed);

      // The seeds' nr_pages: an exact count (a transparent huge page moves whole: 512 at a time).
      const ex = await movePidRange(w.pid, { range, to: 2, from: [1], maxPages: 100 });
      const p = placement(w);
      if (kind === 'thp') assert.equal((p.get(2) ?? 0) % 512, 0, `whole huge pages on node 2: ${JSON.stringify([...p])}`);
      else {
        assert.equal(p.get(2), 100, `exactly 100 pages on node 2: ${JSON.stringify([...p])}`);
        assert.equal(ex.tally.moved, 100);
      }
      assert.match(await w.stop(), /^verify ok/);
    } finally {
      w.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('migrate: tally and flows agree, one migrate_pages call and paced steps alike', { skip }, async () => {
  const w = await startWriter('anon', 16, { wrap: ['numactl', '--preferred=0'] });
  try {
    const region = Number(w.len) / PAGE;
    const sum = (r: { flows: readonly { pages: number }[] }): number => r.flows.reduce((s, f) => s + f.pages, 0);
    const one = await migrateProcess(w.pid, '0', '3');
    assert.equal(one.method, 'migrate_pages');
    assert.equal(one.tally.moved, sum(one), `tally ${JSON.stringify(one.tally)} against flows ${JSON.stringify(one.flows)}`);
    assert.ok(one.tally.moved >= region - one.notMoved, `at least the region moved: ${one.tally.moved} of ${region}`);
    const paced = await migrateProcess(w.pid, '3', '1', { batchPages: 512 });
    assert.equal(paced.method, 'move_pages');
    assert.equal(paced.tally.moved, sum(paced), `tally ${JSON.stringify(paced.tally)} against flows ${JSON.stringify(paced.flows)}`);
    assert.ok(paced.tally.moved >= region - paced.notMoved, `at least the region moved: ${paced.tally.moved} of ${region}`);
    allOn(w, 1, 'after the paced migrate 3→1', stayedIn(w, paced));
    assert.match(await w.stop(), /^verify ok/);
  } finally {
    w.kill();
  }
});

test('a range that partly does not exist: clear error, nothing moved', { skip }, async () => {
  const w = await startWriter('anon', 8, { wrap: ['numactl', '--preferred=0'] });
  try {
    const before = placement(w);
    await assert.rejects(
      movePidRange(w.pid, { range: { start: w.addr, end: w.addr + w.len + (1n << 30n) }, to: 3 }),
      (e: unknown) => e instanceof NumapolError && e.code === 'ENOMAPPING' && /nothing was moved/.test(e.message),
    );
    assert.deepEqual(placement(w), before);
    assert.match(await w.stop(), /^verify ok/);
  } finally {
    w.kill();
  }
});

test('--rebind moves the range and binds it so new pages follow', { skip }, async () => {
  const w = await startWriter('anon', 8, { wrap: ['numactl', '--preferred=0'] });
  try {
    const r = await movePidRange(w.pid, { range: { start: w.addr, end: w.addr + w.len }, to: 2, rebind: true });
    assert.deepEqual(r.rebind?.errors, []);
    allOn(w, 2, 'after move --rebind');
    const v = readVmas(w.pid).find((x) => x.start <= w.addr && w.addr < x.end);
    assert.equal(v?.policyText, 'bind:2');
    assert.match(await w.stop(), /^verify ok/);
  } finally {
    w.kill();
  }
});

test('a full destination node: ENOMEM counted per page, data intact', { skip }, async () => {
  const full = 2;
  // Page cache on the node is not in MemFree but migration may reclaim it to make room: drop it
  // first, so the filler really leaves only a few MiB.
  writeFileSync('/proc/sys/vm/drop_caches', '3');
  const freeKiB = (): number => Number(/MemFree:\s+(\d+) kB/.exec(readFileSync(`/sys/devices/system/node/node${full}/meminfo`, 'utf8'))?.[1]);
  // The node is filled by migrating hogs' pages there, not by a hog bound to it: a bound
  // allocation that meets the watermark calls the OOM killer (it killed the hog, and once the test
  // runner, when other tasks took a few MiB of the node meanwhile), whereas a migration that
  // finds no room fails that page with ENOMEM and the node stays full. Memory still being freed
  // (the previous tests' writers exit after SIGKILL) can make one hog fit after all: then another.
  const hogs: Writer[] = [];
  let w: Writer | undefined;
  try {
    const tallies: MoveReport['tally'][] = [];
    const fullNow = (): boolean => tallies.some((t) => t.noMemory > 0);
    while (hogs.length < 4 && !fullNow()) {
      const hog = await startWriter('hog', Math.ceil(freeKiB() / 1024) + 64, { wrap: ['numactl', '--interleave=0,1,3'] });
      hogs.push(hog);
      tallies.push((await movePidRange(hog.pid, { range: { start: hog.addr, end: hog.addr + hog.len }, to: full })).tally);
    }
    assert.ok(fullNow(), `the hogs all fit on node ${full}: ${JSON.stringify(tallies)}`);
    assert.ok(freeKiB() <= 64 * 1024, `node ${full} still has ${freeKiB()} KiB free`);
    w = await startWriter('anon', 160, { wrap: ['numactl', '--preferred=0'] });
    const r = await movePidRange(w.pid, { range: { start: w.addr, end: w.addr + w.len }, to: full });
    assert.ok(r.tally.noMemory > 0, `some pages found no room: ${JSON.stringify(r.tally)}`);
    assert.equal(r.tally.moved + r.tally.alreadyThere + r.failed, Number(w.len) / PAGE, JSON.stringify(r.tally));
    assert.equal(placement(w).get(full) ?? 0, r.tally.moved, 'the pages reported moved are the ones there');
    assert.match(await w.stop(), /^verify ok/);
  } finally {
    w?.kill();
    for (const h of hogs) h.kill();
  }
});

test('oracle: after numapol migrate, numastat -p agrees with numapol stat', { skip }, async () => {
  const h = await startWriter('hog', 16, { wrap: ['numactl', '--preferred=0'] });
  try {
    await migrateProcess(h.pid, '0', '3');
    const out = spawnSync('numastat', ['-p', String(h.pid)], { encoding: 'utf8' }).stdout;
    // numastat prints one table per four nodes: collect the Total row's values in node order.
    const totals: number[] = [];
    const headers: string[] = [];
    for (const line of out.split('\n')) {
      if (/^\s+Node \d/.test(line)) headers.push(...line.trim().split(/\s{2,}/));
      if (/^Total\s/.test(line)) totals.push(...line.trim().split(/\s+/).slice(1).map(Number));
    }
    const stat = numastat({ processes: [String(h.pid)] });
    const ours = stat.processes![0]!;
    for (const [i, node] of stat.nodes.entries()) {
      const col = headers.indexOf(`Node ${node}`);
      assert.ok(col >= 0, `numastat has a column for node ${node}: ${out}`);
      assert.ok(Math.abs(ours.perNode[i]! / 1048576 - totals[col]!) <= 0.011, `node ${node}: numapol ${ours.perNode[i]! / 1048576} MiB, numastat ${totals[col]}`);
    }
    assert.ok(ours.perNode[3]! >= 16 * 1048576, 'the 16 MiB are on node 3');
  } finally {
    h.kill();
  }
});
