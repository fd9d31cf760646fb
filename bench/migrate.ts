/**
 * Migration speed in the 4-node guest (software emulation: ratios only). 512 MiB of anonymous
 * memory in an idle target, node 0 → 3:
 *  - numapol migrate (the whole op: placement before/after, one migrate_pages) vs migratepages(8)
 *    (process wall time) and vs the bare syscall timed in C: the goal is within 5%;
 *  - numapol move over the same pages as one range, at several batch sizes, vs migrate_pages on
 *    the same bytes: the goal is at least 0.9x its throughput;
 *  - migspeed's own figure beside ours.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { migrateProcess } from '../src/ops/migrate.js';
import { movePidRange } from '../src/ops/move.js';
import { parseRangeList } from '../src/kernel/range-list.js';
import { buildTarget } from '../test/targets/build.js';
import { startWriter } from '../test/targets/migrate-writer.js';
import { median, type BenchFigure } from './report.js';

export type BenchResult = BenchFigure;

const MIB = 512;
const REPS = 3;
const BATCHES = [256, 1024, 4096, 16384];

function raw(pid: number, from: number, to: number): number {
  const out = execFileSync(buildTarget('migrate-raw'), [String(pid), String(from), String(to)], { encoding: 'utf8' });
  return Number(/ns=(\d+)/.exec(out)?.[1]) / 1e6;
}

function migratepagesMs(pid: number, from: number, to: number): number {
  const t0 = performance.now();
  const r = spawnSync('migratepages', [String(pid), String(from), String(to)], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`migratepages failed: ${r.stderr}`);
  return ms;
}

/** Start-up cost of migratepages itself: a call that has nothing to move. */
function migratepagesIdleMs(pid: number, node: number): number {
  return median([0, 1, 2].map(() => migratepagesMs(pid, node, node)));
}

export async function benchMigrate(): Promise<BenchResult[]> {
  const online = parseRangeList(readFileSync('/sys/devices/system/node/online', 'utf8')) ?? [];
  if (online.length < 4) return [{ name: 'migration benchmarks', value: 0, unit: '', note: `skipped: needs 4 nodes, this machine has ${online.length}` }];
  const A = online[0]!;
  const B = online[3]!;
  const w = await startWriter('hog', MIB, { wrap: ['numactl', `--preferred=${A}`] });
  const bytes = MIB * 1048576;
  const figures: BenchResult[] = [];
  try {
    const ours: number[] = [];
    const oursSyscall: number[] = [];
    const theirs: number[] = [];
    const bare: number[] = [];
    // Warm-up: loads the FFI and faults in numapol's own code paths.
    await migrateProcess(w.pid, String(A), String(A));
    for (let i = 0; i < REPS; i++) {
      const r = await migrateProcess(w.pid, String(A), String(B));
      if (r.notMoved > 0) throw new Error(`numapol migrate left ${r.notMoved} pages`);
      ours.push(r.durationMs);
      oursSyscall.push(r.longestStepMs);
      raw(w.pid, B, A);
      theirs.push(migratepagesMs(w.pid, A, B));
      raw(w.pid, B, A);
      bare.push(raw(w.pid, A, B));
      raw(w.pid, B, A);
    }
    const idle = migratepagesIdleMs(w.pid, A);
    const o = median(ours);
    const t = median(theirs) - idle;
    const b = median(bare);
    figures.push({
      name: `numapol migrate ${MIB} MiB N${A}→N${B} (whole op)`,
      value: o,
      unit: 'ms',
      ratio: o / t,
      reference: `migratepages (wall ${median(theirs).toFixed(0)} ms minus its ${idle.toFixed(0)} ms start-up)`,
      goal: '≤ 1.05',
      met: o / t <= 1.05,
    });
    figures.push({
      name: 'numapol migrate, whole op vs the bare migrate_pages syscall timed in C',
      value: o,
      unit: 'ms',
      ratio: o / b,
      reference: `migrate_pages syscall ${b.toFixed(0)} ms`,
      goal: '≤ 1.05',
      met: o / b <= 1.05,
      note: `numapol's own syscall step took ${median(oursSyscall).toFixed(0)} ms`,
    });
    const rawMBs = bytes / 1e6 / (b / 1000);
    figures.push({ name: 'migrate_pages throughput (reference)', value: rawMBs, unit: 'MB/s' });
    for (const batch of BATCHES) {
      const times: number[] = [];
      let longest = 0;
      for (let i = 0; i < REPS; i++) {
        const r = await movePidRange(w.pid, { range: { start: w.addr, end: w.addr + w.len }, to: B, batchPages: batch });
        if (r.failed > 0) throw new Error(`move left pages: ${JSON.stringify(r.tally)}`);
        times.push(r.durationMs);
        longest = Math.max(longest, r.longestStepMs);
        raw(w.pid, B, A);
      }
      const mbs = bytes / 1e6 / (median(times) / 1000);
      figures.push({
        name: `numapol move, one ${MIB} MiB range, batch ${batch} pages`,
        value: mbs,
        unit: 'MB/s',
        ratio: mbs / rawMBs,
        reference: 'migrate_pages on the same bytes',
        goal: '≥ 0.9',
        met: mbs / rawMBs >= 0.9,
        note: `longest step ${longest.toFixed(0)} ms`,
      });
    }
  } finally {
    w.kill();
  }
  const ms = spawnSync('migspeed', ['-p', String((MIB * 1048576) / 4096), String(A), String(B)], { encoding: 'utf8' });
  if (ms.error) figures.push({ name: 'migspeed', value: 0, unit: '', note: `not available: ${ms.error.message}` });
  else {
    const m = /([\d.]+)\s*Mbytes\/second/i.exec(ms.stdout);
    figures.push({ name: `migspeed -p ${(MIB * 1048576) / 4096} ${A} ${B}`, value: m ? Number(m[1]) * 1.048576 : 0, unit: 'MB/s', note: m ? 'its own allocation and timing' : `output: ${ms.stdout.trim().split('\n').slice(-2).join(' | ')}` });
  }
  return figures;
}

export const run = benchMigrate;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { printFigures } = await import('./report.js');
  printFigures('page migration (4-node guest, emulated: ratios only)', await benchMigrate());
}
