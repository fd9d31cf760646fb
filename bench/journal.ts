/**
 * Write rate of the daemon's journal: record (one write per entry) and begin + finish (two),
 * with entries the size of a real one (a policy change on a process with 40 mapped ranges:
 * about 3 KB of JSON). References in the same run: a bare INSERT of the same JSON text into a
 * table with no index, on the same kind of database (what SQLite costs before the journal adds
 * anything), and synchronous=FULL (an fsync per commit) against the default NORMAL.
 * The files go in /var/tmp (a disk on most systems, where /tmp may be tmpfs and fsync free).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { openJournal, type Journal } from '../src/daemon/journal/journal.js';
import type { BegunJournalEntry } from '../src/daemon/journal/entry.js';
import type { JournalSynchronous } from '../src/daemon/journal/database.js';
import type { BenchFigure } from './report.js';

const RUN_MS = 600;
const RUNS = 3;

function entry(i: number): BegunJournalEntry {
  return {
    time: new Date().toISOString(),
    pid: 4000 + (i % 50),
    start: 123_456 + i,
    comm: 'postgres',
    cgroup: '/system.slice/postgresql.service',
    rule: 'databases',
    source: 'rule',
    action: 'vma-policy',
    mode: 'enforce',
    spec: `sha256:${(i * 2654435761).toString(16)}`,
    params: { policy: 'bind', nodes: [0, 1], ranges: 'anon', move: true },
    before: {
      threads: Array.from({ length: 8 }, (_, t) => ({ tid: 4000 + t, policy: 'default' })),
      ranges: Array.from({ length: 40 }, (_, r) => ({ start: `0x${(0x7f0000000000 + r * 0x200000).toString(16)}`, end: `0x${(0x7f0000200000 + r * 0x200000).toString(16)}`, policy: 'default', pages: { 0: 300 + r, 1: 12 } })),
    },
    undoes: null,
  };
}
const RESULT = { threads: 8, ranges: 40, moved: { pages: 12_345, bytes: 50_565_120 }, failed: 0, ms: 41.5 };

/** Operations per second: best of RUNS runs of RUN_MS each. */
function rate(op: (i: number) => void): number {
  let best = 0;
  let i = 0;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    let n = 0;
    let t = t0;
    while (t - t0 < RUN_MS) {
      op(i++);
      n++;
      if ((n & 15) === 0) t = performance.now();
    }
    t = performance.now();
    best = Math.max(best, (n * 1000) / (t - t0));
  }
  return best;
}

function withJournal<T>(dir: string, sync: JournalSynchronous, fn: (j: Journal) => T): T {
  const path = join(dir, `journal-${sync}-${Math.random().toString(36).slice(2)}.db`);
  const j = openJournal(path, { synchronous: sync });
  try {
    return fn(j);
  } finally {
    j.close();
  }
}

export function benchJournal(): BenchFigure[] {
  const base = existsSync('/var/tmp') ? '/var/tmp' : tmpdir();
  const dir = mkdtempSync(join(base, 'numapol-journal-bench-'));
  try {
    const measure = (sync: JournalSynchronous) =>
      withJournal(dir, sync, (j) => ({
        record: rate((i) => j.record({ ...entry(i), result: RESULT, outcome: 'ok', error: null })),
        pair: rate((i) => j.finish(j.begin(entry(i)).id, { result: RESULT, outcome: 'ok', error: null })),
      }));
    const normal = measure('normal');
    const full = measure('full');

    const raw = new Database(join(dir, 'bare.db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, time TEXT, params TEXT, before TEXT, result TEXT)');
    const ins = raw.prepare('INSERT INTO t (time, params, before, result) VALUES (?, ?, ?, ?)');
    const bare = rate((i) => {
      const e = entry(i);
      ins.run(e.time, JSON.stringify(e.params), JSON.stringify(e.before), JSON.stringify(RESULT));
    });
    raw.close();

    const bytes = JSON.stringify(entry(0)).length + JSON.stringify(RESULT).length;
    return [
      { name: 'record (synchronous=NORMAL, the default)', value: normal.record, unit: 'entries/s', ratio: normal.record / bare, reference: 'bare INSERT of the same JSON, no index', note: `${bytes} bytes of JSON an entry` },
      { name: 'begin + finish (NORMAL)', value: normal.pair, unit: 'entries/s', ratio: normal.pair / normal.record, reference: 'record' },
      { name: 'record (synchronous=FULL)', value: full.record, unit: 'entries/s', ratio: full.record / normal.record, reference: 'NORMAL' },
      { name: 'begin + finish (FULL)', value: full.pair, unit: 'entries/s', ratio: full.pair / normal.pair, reference: 'NORMAL' },
      { name: 'bare INSERT (reference)', value: bare, unit: 'rows/s' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
