/**
 * Migration speed in the 4-node guest (software emulation: absolute figures mean little, so every
 * figure is a ratio to a reference measured right beside it in the same run, rep by rep, and the
 * median ratio is reported). 512 MiB of anonymous memory (2 MiB transparent huge pages when THP
 * is on, as in the guest) in an idle target, node A → node B:
 *  - numapol migrate: its migrate_pages call timed inside our process vs the same syscall timed
 *    inside a tiny C program (test/targets/migrate-raw.c): the goal is within 5%. Also the whole
 *    operation (placement read before and after + the call) vs migratepages(8)'s wall time minus
 *    its own start-up (a no-op `migratepages PID A A` timed in the same run);
 *  - numapol move over the same pages as one range, at several batch sizes, vs migrate_pages on
 *    the same bytes (the C program): the goal is at least 0.9x its throughput;
 *  - the same with 4 KiB pages (THP off in the guest, 128 MiB), where every page is a unit, also
 *    against a C loop of move_pages calls at the same batch (test/targets/move-pages-raw.c):
 *    the kernel's own move_pages path, apart from what numapol adds;
 *  - migspeed's own figure (mbind MPOL_MF_MOVE of its own fresh memory) beside ours.
 * Units: MB = 10^6 bytes; migspeed prints MiB ("Mbyte") and is converted.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { migrateProcess } from '../src/ops/migrate.js';
import { movePidRange } from '../src/ops/move.js';
import { parseRangeList } from '../src/kernel/range-list.js';
import { buildTarget } from '../test/targets/build.js';
import { startWriter, type Writer } from '../test/targets/migrate-writer.js';
import { median, type BenchFigure } from './report.js';

export type BenchResult = BenchFigure;

const MIB = 512;
const MIB_4K = 128;
const REPS = 5;
/** The 4 KiB runs are short (128 MiB) and their ratio scatters under emulation: more reps. */
const REPS_4K = 9;
const BATCHES = [512, 2048, 4096, 16384];
const THP = '/sys/kernel/mm/transparent_hugepage/enabled';

/** One migrate_pages call timed inside the C program, in ms. */
function raw(pid: number, from: number, to: number): number {
  const out = execFileSync(buildTarget('migrate-raw'), [String(pid), String(from), String(to)], { encoding: 'utf8' });
  const m = /ns=(\d+) notmoved=(\d+)/.exec(out);
  if (!m) throw new Error(`migrate-raw: ${out}`);
  return Number(m[1]) / 1e6;
}

function migratepagesMs(pid: number, from: number, to: number): number {
  const t0 = performance.now();
  const r = spawnSync('migratepages', [String(pid), String(from), String(to)], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`migratepages failed: ${r.stderr}`);
  return ms;
}

function anonHugeKiB(w: Writer): number {
  const smaps = readFileSync(`/proc/${w.pid}/smaps`, 'utf8');
  let kib = 0;
  for (const m of smaps.matchAll(/^AnonHugePages:\s+(\d+) kB/gm)) kib += Number(m[1]);
  return kib;
}

const mbs = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

/** The C move_pages loop (test/targets/move-pages-raw.c) over the writer's region to `to`, in ms. */
function rawMovePages(w: Writer, to: number, batch: number): number {
  const out = execFileSync(buildTarget('move-pages-raw'), [String(w.pid), w.addr.toString(16), String(w.len), String(to), String(batch)], { encoding: 'utf8' });
  const m = /ns=(\d+) calls=\d+ notmoved=(\d+) wrong=(\d+)/.exec(out);
  if (!m) throw new Error(`move-pages-raw: ${out}`);
  if (m[2] !== '0' || m[3] !== '0') throw new Error(`move-pages-raw left pages behind: ${out.trim()}`);
  return Number(m[1]) / 1e6;
}

interface MoveFigureOptions {
  readonly reps?: number;
  /**
   * Also time the C move_pages loop at each batch size, paired per rep: what the kernel's
   * move_pages path costs by itself, so the report separates numapol's own time from the
   * kernel's. Base pages only: the loop passes every page, a huge page's tails included.
   */
  readonly floor?: boolean;
}

/** numapol move of the writer's region A→B at each batch size, each rep paired with a C migrate_pages A→B. */
async function moveFigures(w: Writer, A: number, B: number, label: string, batches: readonly number[], o: MoveFigureOptions = {}): Promise<BenchResult[]> {
  const bytes = Number(w.len);
  const refMs: number[] = [];
  const perBatch = new Map<number, { refs: number[]; ratios: number[]; ms: number[]; longest: number; steps: number; floorMs: number[]; vsFloor: number[] }>();
  for (const b of batches) perBatch.set(b, { refs: [], ratios: [], ms: [], longest: 0, steps: 0, floorMs: [], vsFloor: [] });
  for (let i = 0; i < (o.reps ?? REPS); i++) {
    for (const batch of batches) {
      const s = perBatch.get(batch)!;
      const ref = raw(w.pid, A, B);
      raw(w.pid, B, A);
      let floor: number | undefined;
      if (o.floor) {
        floor = rawMovePages(w, B, batch);
        raw(w.pid, B, A);
      }
      const t0 = performance.now();
      const r = await movePidRange(w.pid, { range: { start: w.addr, end: w.addr + w.len }, to: B, batchPages: batch });
      const ms = performance.now() - t0;
      if (r.failed > 0 || r.tally.moved !== Number(w.len) / 4096) throw new Error(`move did not move every page: ${JSON.stringify(r.tally)}`);
      raw(w.pid, B, A);
      refMs.push(ref);
      s.refs.push(ref);
      s.ratios.push(ref / ms);
      s.ms.push(ms);
      if (floor !== undefined) {
        s.floorMs.push(floor);
        s.vsFloor.push(floor / ms);
      }
      s.longest = Math.max(s.longest, r.longestStepMs);
      s.steps = r.steps;
    }
  }
  const refMBs = mbs(bytes, median(refMs));
  const out: BenchResult[] = [{ name: `migrate_pages ${label} (C, reference for move)`, value: refMBs, unit: 'MB/s', note: `median of ${refMs.length}` }];
  for (const [batch, s] of perBatch) {
    const ratio = median(s.ratios);
    out.push({
      name: `numapol move ${label} as one range, batch ${batch} pages`,
      value: mbs(bytes, median(s.ms)),
      unit: 'MB/s',
      ratio,
      reference: 'migrate_pages on the same bytes, paired per rep',
      goal: '≥ 0.9',
      met: ratio >= 0.9,
      note: `whole op incl. reading the maps; ${s.steps} move_pages steps, longest ${s.longest.toFixed(0)} ms; ratios ${[...s.ratios].sort((a, b) => a - b).map((r) => r.toFixed(2)).join(' ')}`,
    });
    if (s.floorMs.length > 0) {
      out.push({
        name: `C move_pages loop ${label}, batch ${batch} pages (the kernel's move_pages path alone)`,
        value: mbs(bytes, median(s.floorMs)),
        unit: 'MB/s',
        ratio: median(s.floorMs.map((f, k) => s.refs[k]! / f)),
        reference: 'migrate_pages on the same bytes, paired per rep',
      });
      out.push({
        name: `numapol move ${label}, batch ${batch} pages, against the C move_pages loop`,
        value: mbs(bytes, median(s.ms)),
        unit: 'MB/s',
        ratio: median(s.vsFloor),
        reference: 'the C loop at the same batch, paired per rep: numapol\'s own share (maps, placement, report)',
      });
    }
  }
  return out;
}

export async function benchMigrate(): Promise<BenchResult[]> {
  const online = parseRangeList(readFileSync('/sys/devices/system/node/online', 'utf8')) ?? [];
  if (online.length < 4) return [{ name: 'migration benchmarks', value: 0, unit: '', note: `skipped: needs 4 nodes, this machine has ${online.length}` }];
  const A = online[0]!;
  const B = online[3]!;
  const figures: BenchResult[] = [];
  const w = await startWriter('hog', MIB, { wrap: ['numactl', `--preferred=${A}`] });
  const bytes = MIB * 1048576;
  try {
    figures.push({ name: `target: ${MIB} MiB anonymous, THP-backed`, value: anonHugeKiB(w) / 1024, unit: 'MiB', note: `${readFileSync(THP, 'utf8').trim()}` });
    // Warm-up: loads the FFI and compiles numapol's own code paths.
    await migrateProcess(w.pid, String(A), String(A));
    await movePidRange(w.pid, { range: { start: w.addr, end: w.addr + w.len }, to: A });
    const syscallRatios: number[] = [];
    const wholeRatios: number[] = [];
    const ours: number[] = [];
    const oursCall: number[] = [];
    const bare: number[] = [];
    const theirs: number[] = [];
    const idle: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const c = raw(w.pid, A, B);
      raw(w.pid, B, A);
      const r = await migrateProcess(w.pid, String(A), String(B));
      if (r.notMoved > 0) throw new Error(`numapol migrate left ${r.notMoved} pages`);
      raw(w.pid, B, A);
      const idleMs = migratepagesMs(w.pid, A, A);
      const mp = migratepagesMs(w.pid, A, B) - idleMs;
      raw(w.pid, B, A);
      bare.push(c);
      ours.push(r.durationMs);
      oursCall.push(r.longestStepMs);
      theirs.push(mp);
      idle.push(idleMs);
      syscallRatios.push(r.longestStepMs / c);
      wholeRatios.push(r.durationMs / mp);
    }
    const sr = median(syscallRatios);
    const wr = median(wholeRatios);
    figures.push({
      name: `numapol migrate ${MIB} MiB N${A}→N${B}: its migrate_pages call`,
      value: median(oursCall),
      unit: 'ms',
      ratio: sr,
      reference: `the same syscall timed in C (${median(bare).toFixed(0)} ms), paired per rep`,
      goal: '≤ 1.05',
      met: sr <= 1.05,
    });
    figures.push({
      name: `numapol migrate ${MIB} MiB N${A}→N${B}: whole op (maps before/after + call)`,
      value: median(ours),
      unit: 'ms',
      ratio: wr,
      reference: `migratepages(8) wall minus its no-op start-up (${median(theirs).toFixed(0)} ms; start-up ${median(idle).toFixed(0)} ms)`,
      goal: '≤ 1.05',
      met: wr <= 1.05,
    });
    figures.push({ name: 'migrate_pages throughput (C, whole process)', value: mbs(bytes, median(bare)), unit: 'MB/s' });
    figures.push(...(await moveFigures(w, A, B, `${MIB} MiB THP`, BATCHES)));
    figures.push({ name: `target after the runs: THP-backed`, value: anonHugeKiB(w) / 1024, unit: 'MiB', note: 'migrations kept the huge pages' });
  } finally {
    w.kill();
  }
  figures.push(...(await benchSmallPages(A, B)));
  const pages = bytes / 4096;
  const ms = spawnSync('migspeed', ['-p', String(pages), String(A), String(B)], { encoding: 'utf8' });
  if (ms.error) figures.push({ name: 'migspeed', value: 0, unit: '', note: `not available: ${ms.error.message}` });
  else {
    const m = /([\d.]+)\s*Mbytes\/second/i.exec(ms.stdout);
    figures.push({
      name: `migspeed -p ${pages} ${A} ${B} (${MIB} MiB)`,
      value: m ? Number(m[1]) * 1.048576 : 0,
      unit: 'MB/s',
      note: m ? `its own process: mbind(MPOL_MF_MOVE) of fresh memory; printed ${m[1]} MiB/s` : `output not understood: ${ms.stdout.trim().split('\n').slice(-2).join(' | ')}`,
    });
  }
  return figures;
}

/**
 * numapol move of 4 KiB pages (THP off: every page is its own unit) vs migrate_pages, A → B.
 * Alone: `node dist/bench/migrate.js small-pages` in the guest.
 */
export async function benchSmallPages(A: number, B: number): Promise<BenchResult[]> {
  const figures: BenchResult[] = [];
  // Only possible to arrange where we may switch THP off.
  const thpWas = /\[(\w+)\]/.exec(readFileSync(THP, 'utf8'))?.[1];
  let switched = false;
  try {
    if (process.env.NUMAPOL_VM_TOPOLOGY !== undefined && thpWas !== undefined && thpWas !== 'never') {
      writeFileSync(THP, 'never');
      switched = true;
    }
    if (switched || thpWas === 'never') {
      const s = await startWriter('hog', MIB_4K, { wrap: ['numactl', `--preferred=${A}`] });
      try {
        const range = { start: s.addr, end: s.addr + s.len };
        await movePidRange(s.pid, { range, to: A });
        // Warm-up: a real move there and back at each batch size. The move to A above finds
        // every page already there and makes no move_pages call, so without this the first
        // timed reps would also time compiling the move path.
        for (const batchPages of [512, 4096]) {
          await movePidRange(s.pid, { range, to: B, batchPages });
          raw(s.pid, B, A);
        }
        figures.push(...(await moveFigures(s, A, B, `${MIB_4K} MiB 4 KiB pages`, [512, 4096], { reps: REPS_4K, floor: true })));
      } finally {
        s.kill();
      }
    } else figures.push({ name: '4 KiB pages', value: 0, unit: '', note: 'skipped: THP is on and this is not the test guest' });
  } finally {
    if (switched) writeFileSync(THP, thpWas!);
  }
  return figures;
}

export const run = benchMigrate;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { printFigures } = await import('./report.js');
  if (process.argv[2] === 'small-pages') {
    const online = parseRangeList(readFileSync('/sys/devices/system/node/online', 'utf8')) ?? [];
    if (online.length < 4) throw new Error(`needs 4 nodes, this machine has ${online.length}`);
    printFigures('4 KiB page moves (4-node guest, emulated: ratios only)', await benchSmallPages(online[0]!, online[3]!));
  } else printFigures('page migration (4-node guest, emulated: ratios only)', await benchMigrate());
}
