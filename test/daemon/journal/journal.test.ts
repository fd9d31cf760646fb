import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { openJournal } from '../../../src/daemon/journal/journal.js';
import type { JournalEntry } from '../../../src/daemon/journal/entry.js';
import { NumapolError } from '../../../src/errors.js';
import { begun, finished, journalPath, scratchDir } from './helpers.js';

const dir = scratchDir();

const isCode = (code: string) => (e: unknown) => e instanceof NumapolError && e.code === code;

test('openJournal makes the directory 0700 and the file 0600, in WAL mode', () => {
  const path = journalPath(dir);
  const old = process.umask(0o022);
  try {
    openJournal(path).close();
  } finally {
    process.umask(old);
  }
  assert.equal(statSync(dirname(path)).mode & 0o777, 0o700);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const db = new Database(path, { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
});

test('an existing directory keeps its mode', () => {
  const parent = join(dir, 'shared');
  mkdirSync(parent, { mode: 0o755 });
  const before = statSync(parent).mode & 0o777;
  openJournal(join(parent, 'journal.db')).close();
  assert.equal(statSync(parent).mode & 0o777, before);
});

test('record then get and list give back every field, JSON values included', () => {
  const j = openJournal(journalPath(dir));
  const input = finished({
    time: '2024-05-01T12:34:56.789Z',
    pid: 77,
    start: 123456789012,
    comm: 'näive ☃',
    cgroup: '/user.slice/user-1000.slice',
    rule: 'pin "quoted" db',
    source: 'api',
    action: 'vma-policy',
    mode: 'advise',
    spec: 'f00d',
    params: { nested: { list: [1, -2.5, 'x', null, true, { deep: [[]] }], empty: {} }, big: 2 ** 53 - 1, text: 'line\nbreak\u0000nul' },
    before: [{ thread: 77, policy: 'default' }, { range: ['0x7f0000000000', '0x7f0000200000'], policy: 'bind:0' }],
    result: 'a bare string',
    outcome: 'partial',
    error: 'pid 77 thread 78 is gone',
    undoes: 5,
  });
  const e = j.record(input);
  assert.ok(Number.isSafeInteger(e.id) && e.id > 0);
  const want: JournalEntry = { ...input, id: e.id, undoneBy: null };
  assert.deepEqual(e, want);
  assert.deepEqual(j.get(e.id), want);
  assert.deepEqual(j.list(), [want]);
  j.close();
  const again = openJournal(j.path);
  assert.deepEqual(again.get(e.id), want, 'the same after reopening');
  again.close();
});

test('nulls stay null; undefined params become null', () => {
  const j = openJournal(':memory:');
  const e = j.record(finished({ pid: null, start: null, comm: null, cgroup: null, rule: null, spec: null, params: undefined, before: null, result: null, error: null }));
  const got = j.get(e.id)!;
  for (const k of ['pid', 'start', 'comm', 'cgroup', 'rule', 'spec', 'params', 'before', 'result', 'error', 'undoes', 'undoneBy'] as const) {
    assert.equal(got[k], null, k);
  }
  j.close();
});

test('values are stored in their JSON form: bigint as hex, Map as object, Set as array', () => {
  const j = openJournal(':memory:');
  const e = j.record(finished({ params: { addr: 0x7f12_3456_7000n, nodes: new Set([0, 2]), pages: new Map([['0', 10]]) } }));
  assert.deepEqual(j.get(e.id)!.params, { addr: '0x7f1234567000', nodes: [0, 2], pages: { '0': 10 } });
  assert.throws(() => {
    const loop: Record<string, unknown> = {};
    loop['self'] = loop;
    j.record(finished({ result: loop }));
  }, isCode('EINVAL'));
  assert.equal(j.list().length, 1, 'the failed record left nothing');
  j.close();
});

test('times are stored as UTC ISO with milliseconds; a time with an offset is converted', () => {
  const j = openJournal(':memory:');
  assert.equal(j.record(finished({ time: '2024-05-01T14:00:00+02:00' })).time, '2024-05-01T12:00:00.000Z');
  assert.throws(() => j.record(finished({ time: 'yesterday' })), isCode('EINVAL'));
  assert.throws(() => j.record(finished({ time: '2024-13-01T00:00:00Z' })), isCode('EINVAL'));
  j.close();
});

test('record refuses values a reader would refuse', () => {
  const j = openJournal(':memory:');
  const cast = (e: object) => e as Parameters<typeof j.record>[0];
  assert.throws(() => j.record(cast(finished({ source: 'cron' as 'rule' }))), isCode('EINVAL'));
  assert.throws(() => j.record(cast(finished({ mode: 'dry' as 'advise' }))), isCode('EINVAL'));
  assert.throws(() => j.record(cast(finished({ outcome: 'running' as 'ok' }))), isCode('EINVAL'));
  assert.throws(() => j.record(finished({ pid: 1.5 })), isCode('EINVAL'));
  assert.deepEqual(j.list(), []);
  j.close();
});

test('list: filters, order, limit', () => {
  const j = openJournal(':memory:');
  const t = (m: number) => `2024-05-01T12:${String(m).padStart(2, '0')}:00.000Z`;
  const ids = [
    j.record(finished({ time: t(0), pid: 1, rule: 'a', action: 'policy' })).id,
    j.record(finished({ time: t(5), pid: 2, rule: 'a', action: 'migrate' })).id,
    j.record(finished({ time: t(5), pid: 1, rule: 'b', action: 'policy' })).id,
    j.record(finished({ time: t(2), pid: 1, rule: null, source: 'api', action: 'cpus' })).id,
    j.record(finished({ time: t(9), pid: 3, rule: 'b', action: 'migrate' })).id,
  ];
  const [e0, e1, e2, e3, e4] = ids as [number, number, number, number, number];
  const of = (q: Parameters<typeof j.list>[0]) => j.list(q).map((e) => e.id);
  // By time, then id among equal times (e1 and e2 share 12:05).
  assert.deepEqual(of({}), [e4, e2, e1, e3, e0]);
  assert.deepEqual(of({ order: 'oldest' }), [e0, e3, e1, e2, e4]);
  assert.deepEqual(of({ pid: 1 }), [e2, e3, e0]);
  assert.deepEqual(of({ rule: 'b' }), [e4, e2]);
  assert.deepEqual(of({ action: 'migrate', order: 'oldest' }), [e1, e4]);
  assert.deepEqual(of({ since: new Date(t(2)) }), [e4, e2, e1, e3], 'since is inclusive');
  assert.deepEqual(of({ until: new Date(t(5)) }), [e3, e0], 'until is exclusive');
  assert.deepEqual(of({ since: new Date(t(1)), until: new Date(t(6)), pid: 1 }), [e2, e3]);
  assert.deepEqual(of({ limit: 2 }), [e4, e2]);
  assert.deepEqual(of({ limit: 2, order: 'oldest' }), [e0, e3]);
  assert.deepEqual(of({ pid: 99 }), []);
  assert.throws(() => j.list({ limit: 0 }), isCode('EUSAGE'));
  assert.throws(() => j.list({ since: new Date(NaN) }), isCode('EUSAGE'));
  j.close();
});

test('list returns at most 1000 entries unless asked for more', () => {
  const j = openJournal(':memory:');
  const last = j.atomically(() => {
    let id = 0;
    for (let i = 0; i < 1005; i++) id = j.record(finished({ time: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString() })).id;
    return id;
  });
  const page = j.list();
  assert.equal(page.length, 1000);
  assert.equal(page[0]!.id, last, 'newest first');
  assert.equal(j.list({ limit: 5000 }).length, 1005);
  j.close();
});

test('appliedFor: only an ok entry of the same process (pid and start), rule, action and spec', () => {
  const j = openJournal(':memory:');
  j.record(finished({ pid: 10, start: 500, rule: 'r', action: 'policy', spec: 'h1', outcome: 'ok' }));
  j.record(finished({ pid: 11, start: 600, rule: 'r', action: 'policy', spec: 'h1', outcome: 'failed' }));
  j.record(finished({ pid: 12, start: 700, rule: null, source: 'api', action: 'migrate', spec: 'h2', outcome: 'ok' }));
  assert.equal(j.appliedFor(10, 500, 'r', 'policy', 'h1'), true);
  assert.equal(j.appliedFor(10, 501, 'r', 'policy', 'h1'), false, 'same pid, another start: another process');
  assert.equal(j.appliedFor(10, 500, 'q', 'policy', 'h1'), false, 'another rule');
  assert.equal(j.appliedFor(10, 500, 'r', 'cpus', 'h1'), false, 'another action');
  assert.equal(j.appliedFor(10, 500, 'r', 'policy', 'h9'), false, 'another spec');
  assert.equal(j.appliedFor(11, 600, 'r', 'policy', 'h1'), false, 'failed does not count');
  assert.equal(j.appliedFor(12, 700, null, 'migrate', 'h2'), true, 'a null rule matches null');
  assert.equal(j.appliedFor(12, 700, 'r', 'migrate', 'h2'), false);

  const b = j.begin(begun({ pid: 13, start: 800, rule: 'r', action: 'policy', spec: 'h3' }));
  assert.equal(j.appliedFor(13, 800, 'r', 'policy', 'h3'), false, 'running does not count');
  j.finish(b.id, { result: {}, outcome: 'ok', error: null });
  assert.equal(j.appliedFor(13, 800, 'r', 'policy', 'h3'), true);
  const u = j.record(finished({ source: 'undo', action: 'undo', undoes: b.id }));
  j.markUndone(b.id, u.id);
  assert.equal(j.appliedFor(13, 800, 'r', 'policy', 'h3'), true, 'undone still counts: the daemon must not redo it');
  j.close();
});

test('begin writes a running entry; finish completes it once', () => {
  const j = openJournal(':memory:');
  const b = j.begin(begun({ params: { n: 1 } }));
  assert.equal(b.outcome, 'running');
  assert.equal(b.result, null);
  assert.deepEqual(j.get(b.id), b);
  const f = j.finish(b.id, { result: { moved: 12 }, outcome: 'failed', error: 'EPERM' });
  assert.deepEqual(f, { ...b, result: { moved: 12 }, outcome: 'failed', error: 'EPERM' });
  assert.deepEqual(j.get(b.id), f);
  assert.throws(() => j.finish(b.id, { result: null, outcome: 'ok', error: null }), isCode('EALREADY'));
  assert.throws(() => j.finish(b.id + 100, { result: null, outcome: 'ok', error: null }), isCode('ENOENT'));
  const c = j.begin(begun());
  assert.throws(() => j.finish(c.id, { result: null, outcome: 'interrupted' as 'ok', error: null }), isCode('EINVAL'));
  assert.equal(j.get(c.id)!.outcome, 'running');
  j.close();
});

test('reopening turns running entries into interrupted ones and says which', () => {
  const path = journalPath(dir);
  const j = openJournal(path);
  assert.deepEqual(j.interruptedAtOpen, []);
  const a = j.begin(begun());
  const done = j.begin(begun());
  j.finish(done.id, { result: 1, outcome: 'ok', error: null });
  const c = j.begin(begun());
  j.close();
  const k = openJournal(path);
  assert.deepEqual(k.interruptedAtOpen, [a.id, c.id]);
  for (const id of [a.id, c.id]) {
    const e = k.get(id)!;
    assert.equal(e.outcome, 'interrupted');
    assert.match(e.error!, /stopped before this action finished/);
    assert.equal(e.result, null);
  }
  assert.equal(k.get(done.id)!.outcome, 'ok');
  assert.throws(() => k.finish(a.id, { result: null, outcome: 'ok', error: null }), isCode('EALREADY'));
  k.close();
  const l = openJournal(path);
  assert.deepEqual(l.interruptedAtOpen, [], 'once only');
  l.close();
});

test('markUndone links an entry to its undo; a second undo is refused', () => {
  const j = openJournal(':memory:');
  const a = j.record(finished());
  const u = j.record(finished({ source: 'undo', action: 'undo', undoes: a.id }));
  const marked = j.markUndone(a.id, u.id);
  assert.equal(marked.undoneBy, u.id);
  assert.equal(j.get(a.id)!.undoneBy, u.id);
  assert.equal(j.markUndone(a.id, u.id).undoneBy, u.id, 'the same undo again is no change');
  const u2 = j.record(finished({ source: 'undo', action: 'undo', undoes: a.id }));
  assert.throws(() => j.markUndone(a.id, u2.id), (e: unknown) => isCode('EALREADY')(e) && /already undone by entry/.test((e as Error).message));
  assert.throws(() => j.markUndone(999, u.id), isCode('ENOENT'));
  assert.throws(() => j.markUndone(u2.id, 999), isCode('ENOENT'));
  assert.throws(() => j.markUndone(u2.id, u2.id), isCode('EINVAL'));
  assert.equal(j.get(u2.id)!.undoneBy, null);
  j.close();
});

test('atomically: a throw undoes every write in it', () => {
  const j = openJournal(':memory:');
  const a = j.record(finished());
  assert.throws(() =>
    j.atomically(() => {
      const u = j.record(finished({ source: 'undo', action: 'undo', undoes: a.id }));
      j.markUndone(a.id, u.id);
      throw new Error('the undo failed');
    }),
  );
  assert.deepEqual(j.list().map((e) => e.id), [a.id]);
  assert.equal(j.get(a.id)!.undoneBy, null);
  j.close();
});

test('prune drops entries older than keepDays and beyond keepEntries, never running ones, and ids are not reused', () => {
  const now = new Date('2024-06-01T00:00:00.000Z');
  const path = journalPath(dir);
  const j = openJournal(path, { now: () => now });
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();
  const big = 'x'.repeat(50_000);
  const old = j.record(finished({ time: daysAgo(40), params: big }));
  const oldRunning = j.begin(begun({ time: daysAgo(45) }));
  const mid = j.record(finished({ time: daysAgo(20), params: big }));
  const recent = [3, 2, 1].map((d) => j.record(finished({ time: daysAgo(d) })).id);
  assert.equal(j.prune({ keepDays: 30, keepEntries: Infinity }), 1);
  assert.equal(j.get(old.id), undefined);
  assert.equal(j.get(oldRunning.id)!.outcome, 'running', 'a running entry is never pruned');
  assert.equal(j.prune({ keepDays: Infinity, keepEntries: 2 }), 2, 'mid and the 3-day-old one go');
  assert.deepEqual(j.list({ order: 'oldest' }).map((e) => e.id), [oldRunning.id, recent[1], recent[2]]);
  assert.equal(j.get(mid.id), undefined);
  assert.equal(j.prune({ keepDays: 0, keepEntries: 0 }), 2);
  assert.deepEqual(j.list().map((e) => e.id), [oldRunning.id]);
  j.finish(oldRunning.id, { result: null, outcome: 'ok', error: null });
  assert.equal(j.prune(), 0, 'the defaults keep 90 days');
  assert.equal(j.prune({ keepDays: 30 }), 1);
  const next = j.record(finished({ time: daysAgo(0) }));
  assert.ok(next.id > recent[2]!, `a new entry gets a new id (${next.id}), not a pruned one`);
  assert.throws(() => j.prune({ keepDays: -1 }), isCode('EINVAL'));
  j.close();
});

test('prune gives the space of what it drops back to the file system', () => {
  const path = journalPath(dir);
  const j = openJournal(path, { now: () => new Date('2024-06-01T00:00:00.000Z') });
  j.atomically(() => {
    for (let i = 0; i < 200; i++) j.record(finished({ time: '2024-01-01T00:00:00.000Z', params: 'y'.repeat(20_000) }));
  });
  j.prune({ keepDays: Infinity, keepEntries: 1_000 });
  const full = statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
  assert.equal(j.prune({ keepDays: 30 }), 200);
  const after = statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
  assert.ok(after < full / 10, `${full} bytes before, ${after} after`);
  j.close();
});

test('the WAL stays bounded: automatic checkpoints run after record, begin and finish', () => {
  const path = journalPath(dir);
  const j = openJournal(path);
  const payload = 'z'.repeat(10_000);
  // 3,000 writes of 10 KB: 30 MB through a WAL that SQLite checkpoints at 1,000 pages (4 MB).
  for (let i = 0; i < 1_000; i++) {
    j.record(finished({ params: payload }));
    const b = j.begin(begun({ params: payload }));
    j.finish(b.id, { result: payload, outcome: 'ok', error: null });
  }
  const wal = statSync(`${path}-wal`).size;
  assert.ok(wal < 8 * 1024 * 1024, `WAL is ${wal} bytes`);
  assert.ok(statSync(path).size > 20 * 1024 * 1024, 'the entries reached the database file');
  j.close();
});

test('refuses a file that is not an SQLite database, and leaves it as it was', () => {
  const path = journalPath(dir);
  mkdirSync(dirname(path), { recursive: true });
  const text = 'rules:\n  - name: db\n'.repeat(300);
  writeFileSync(path, text);
  assert.throws(() => openJournal(path), (e: unknown) => isCode('EJOURNAL')(e) && /is not a numapol journal/.test((e as Error).message) && (e as Error).message.includes(path));
  assert.equal(readFileSync(path, 'utf8'), text);
  assert.equal(existsSync(`${path}-wal`), false);
  writeFileSync(path, 'SQLite');
  assert.throws(() => openJournal(path), isCode('EJOURNAL'), 'shorter than the header');
});

test('refuses an SQLite database of another program', () => {
  const path = journalPath(dir);
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.exec('CREATE TABLE cookies (name TEXT, value TEXT)');
  db.close();
  assert.throws(() => openJournal(path), (e: unknown) => isCode('EJOURNAL')(e) && /not a numapol journal.*cookies/.test((e as Error).message));
});

test('refuses a journal from a newer schema version, naming both versions', () => {
  const path = journalPath(dir);
  const j = openJournal(path);
  const kept = j.record(finished());
  j.close();
  const db = new Database(path);
  db.prepare('INSERT INTO numapol_schema (version, applied) VALUES (2, ?)').run(new Date().toISOString());
  db.close();
  assert.throws(
    () => openJournal(path),
    (e: unknown) => isCode('EJOURNAL')(e) && (e as NumapolError).details['version'] === 2 && /schema version 2.*newer numapol.*up to 1.*upgrade numapol/.test((e as Error).message),
  );
  const raw = new Database(path, { readonly: true });
  assert.equal(raw.prepare('SELECT count(*) FROM entries').pluck().get(), 1, 'the refused journal is untouched');
  raw.close();
  assert.ok(kept.id > 0);
});

test('a file cut short after SQLite wrote its header (WAL mode, no tables) becomes a journal that prune can shrink', () => {
  const path = journalPath(dir);
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.close();
  const j = openJournal(path);
  j.record(finished());
  j.close();
  const raw = new Database(path, { readonly: true });
  assert.equal(raw.pragma('auto_vacuum', { simple: true }), 2, 'incremental');
  assert.equal(raw.pragma('application_id', { simple: true }), 0x4e4d504c);
  raw.close();
});

test('an empty file (creation cut short) becomes a journal; reopening keeps the entries', () => {
  const path = journalPath(dir);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  const j = openJournal(path);
  const e = j.record(finished());
  j.close();
  const k = openJournal(path);
  assert.deepEqual(k.get(e.id), e);
  k.close();
  const db = new Database(path, { readonly: true });
  assert.deepEqual(db.prepare('SELECT version FROM numapol_schema').pluck().all(), [1], 'version 1 recorded once');
  db.close();
});
