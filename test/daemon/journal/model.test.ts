/**
 * Model-based: random sequences of record, begin, finish, markUndone, prune and reopen run
 * against the journal and against a plain array that says what each should do; after every
 * step, list() under random queries, and every failing call's error code, must agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { openJournal, type Journal } from '../../../src/daemon/journal/journal.js';
import type { BegunJournalEntry, JournalEntry, JournalFinalOutcome, JournalFinish, JournalQuery, NewJournalEntry } from '../../../src/daemon/journal/entry.js';
import { NumapolError } from '../../../src/errors.js';
import { journalPath, scratchDir } from './helpers.js';

const dir = scratchDir();

const TIMES = ['2024-05-01T10:00:00.000Z', '2024-05-01T10:00:00.001Z', '2024-05-01T11:30:00.000Z', '2024-05-02T00:00:00.000Z', '2024-05-03T09:15:00.500Z'];
const PIDS = [1, 2, 3];
const RULES = ['a', 'b'];
const ACTIONS = ['policy', 'migrate', 'cpus'];
const FINAL: JournalFinalOutcome[] = ['ok', 'partial', 'failed', 'gone', 'advised', 'skipped'];

const json = fc.jsonValue({ maxDepth: 2 });
const begunArb: fc.Arbitrary<BegunJournalEntry> = fc.record({
  time: fc.constantFrom(...TIMES),
  pid: fc.option(fc.constantFrom(...PIDS)),
  start: fc.option(fc.constantFrom(100, 200)),
  comm: fc.option(fc.string()),
  cgroup: fc.option(fc.string()),
  rule: fc.option(fc.constantFrom(...RULES)),
  source: fc.constantFrom('rule', 'api', 'undo', 'shutdown', 'file'),
  action: fc.constantFrom(...ACTIONS),
  mode: fc.constantFrom('enforce', 'advise'),
  spec: fc.option(fc.constantFrom('s1', 's2')),
  params: json,
  before: fc.option(json),
  undoes: fc.option(fc.integer({ min: 1, max: 12 })),
});
const endArb = fc.record({ result: fc.option(json), outcome: fc.constantFrom(...FINAL), error: fc.option(fc.string()) });
const newArb: fc.Arbitrary<NewJournalEntry> = fc.tuple(begunArb, endArb).map(([b, e]) => ({ ...b, ...e }));
/** An id: usually one that exists (index into the ids so far), sometimes one that does not. */
const idArb = fc.oneof({ arbitrary: fc.nat().map((n) => ({ existing: n })), weight: 4 }, { arbitrary: fc.integer({ min: 1000, max: 2000 }).map((n) => ({ missing: n })), weight: 1 });
type IdPick = { existing: number } | { missing: number };

type Op =
  | { op: 'record'; entry: NewJournalEntry }
  | { op: 'begin'; entry: BegunJournalEntry }
  | { op: 'finish'; id: IdPick; end: JournalFinish }
  | { op: 'markUndone'; id: IdPick; undo: IdPick }
  | { op: 'prune'; keepEntries: number }
  | { op: 'reopen' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: newArb.map((entry) => ({ op: 'record' as const, entry })), weight: 5 },
  { arbitrary: begunArb.map((entry) => ({ op: 'begin' as const, entry })), weight: 3 },
  { arbitrary: fc.tuple(idArb, endArb).map(([id, end]) => ({ op: 'finish' as const, id, end })), weight: 3 },
  { arbitrary: fc.tuple(idArb, idArb).map(([id, undo]) => ({ op: 'markUndone' as const, id, undo })), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: 8 }).map((keepEntries) => ({ op: 'prune' as const, keepEntries })), weight: 1 },
  { arbitrary: fc.constant({ op: 'reopen' as const }), weight: 1 },
);

const queryArb: fc.Arbitrary<JournalQuery> = fc.record(
  {
    pid: fc.constantFrom(...PIDS),
    since: fc.constantFrom(...TIMES).map((t) => new Date(t)),
    until: fc.constantFrom(...TIMES).map((t) => new Date(t)),
    rule: fc.constantFrom(...RULES),
    action: fc.constantFrom(...ACTIONS),
    limit: fc.integer({ min: 1, max: 6 }),
    order: fc.constantFrom('newest' as const, 'oldest' as const),
  },
  { requiredKeys: [] },
);

/** The stored (JSON) form of a value, as the model keeps it. */
const stored = (v: unknown): unknown => (v === undefined || v === null ? null : (JSON.parse(JSON.stringify(v)) as unknown));

class Model {
  entries: JournalEntry[] = [];
  private nextId = 1;

  add(e: Omit<JournalEntry, 'id' | 'undoneBy'>): number {
    const id = this.nextId;
    this.entries.push({ ...e, params: stored(e.params), before: stored(e.before), result: stored(e.result), id: this.nextId++, undoneBy: null });
    return id;
  }
  find(id: number): JournalEntry | undefined {
    return this.entries.find((e) => e.id === id);
  }
  finish(id: number, end: JournalFinish): string | undefined {
    const e = this.find(id);
    if (e === undefined) return 'ENOENT';
    if (e.outcome !== 'running') return 'EALREADY';
    Object.assign(e, { result: stored(end.result), outcome: end.outcome, error: end.error });
    return undefined;
  }
  markUndone(id: number, undo: number): string | undefined {
    if (id === undo) return 'EINVAL';
    if (this.find(undo) === undefined) return 'ENOENT';
    const e = this.find(id);
    if (e === undefined) return 'ENOENT';
    if (e.undoneBy !== null && e.undoneBy !== undo) return 'EALREADY';
    e.undoneBy = undo;
    return undefined;
  }
  reopen(): void {
    for (const e of this.entries) {
      if (e.outcome === 'running') Object.assign(e, { outcome: 'interrupted', error: e.error ?? 'numapol stopped before this action finished: the process may be partly changed' });
    }
  }
  prune(keep: number): void {
    const kept = new Set(this.sorted(false).slice(0, keep).map((e) => e.id));
    this.entries = this.entries.filter((e) => kept.has(e.id) || e.outcome === 'running');
  }
  sorted(oldest: boolean): JournalEntry[] {
    const s = [...this.entries].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.id - b.id));
    return oldest ? s : s.reverse();
  }
  list(q: JournalQuery): JournalEntry[] {
    return this.sorted(q.order === 'oldest')
      .filter(
        (e) =>
          (q.pid === undefined || e.pid === q.pid) &&
          (q.since === undefined || e.time >= q.since.toISOString()) &&
          (q.until === undefined || e.time < q.until.toISOString()) &&
          (q.rule === undefined || e.rule === q.rule) &&
          (q.action === undefined || e.action === q.action),
      )
      .slice(0, q.limit ?? 1000);
  }
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof NumapolError) return e.code;
    throw e;
  }
}

test('random record/begin/finish/markUndone/prune/reopen sequences: list() agrees with a model', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 40, size: 'medium' }), fc.array(queryArb, { maxLength: 4 }), (ops, randomQueries) => {
      const queries: JournalQuery[] = [{}, { order: 'oldest' }, ...randomQueries];
      const path = journalPath(dir);
      let j: Journal = openJournal(path, { now: () => new Date('2024-06-01T00:00:00.000Z') });
      const m = new Model();
      const ids: number[] = [];
      const pick = (p: IdPick): number => ('missing' in p ? p.missing : ids.length === 0 ? 1 : ids[p.existing % ids.length]!);
      try {
        for (const op of ops) {
          switch (op.op) {
            case 'record': {
              const id = j.record(op.entry).id;
              assert.equal(id, m.add(op.entry), 'record: id');
              ids.push(id);
              break;
            }
            case 'begin': {
              const id = j.begin(op.entry).id;
              assert.equal(id, m.add({ ...op.entry, result: null, outcome: 'running', error: null }), 'begin: id');
              ids.push(id);
              break;
            }
            case 'finish': {
              const id = pick(op.id);
              assert.equal(codeOf(() => j.finish(id, op.end)), m.finish(id, op.end), `finish(${id})`);
              break;
            }
            case 'markUndone': {
              const [id, undo] = [pick(op.id), pick(op.undo)];
              assert.equal(codeOf(() => j.markUndone(id, undo)), m.markUndone(id, undo), `markUndone(${id}, ${undo})`);
              break;
            }
            case 'prune':
              j.prune({ keepDays: Infinity, keepEntries: op.keepEntries });
              m.prune(op.keepEntries);
              break;
            case 'reopen':
              j.close();
              j = openJournal(path);
              m.reopen();
              break;
          }
          for (const q of queries) assert.deepEqual(j.list(q), m.list(q), JSON.stringify(q));
        }
      } finally {
        j.close();
        rmSync(dirname(path), { recursive: true, force: true });
      }
    }),
    { numRuns: 100 },
  );
});
