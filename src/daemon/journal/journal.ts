/**
 * The daemon's journal: every action it takes, or would take in advise mode, as one row of an
 * SQLite database. Each write is one transaction (a lone statement, or `atomically`), so after a
 * crash at any instant an entry is either whole or absent.
 *
 * One process writes a journal at a time: opening it turns every 'running' row into
 * 'interrupted', which is right only when the process that began them is gone. The daemon's
 * single-instance guard (its socket) is what makes that so.
 */
import type Database from 'better-sqlite3';
import { NumapolError } from '../../errors.js';
import {
  DEFAULT_KEEP_DAYS,
  DEFAULT_KEEP_ENTRIES,
  type BegunJournalEntry,
  type JournalEntry,
  type JournalFinalOutcome,
  type JournalFinish,
  type JournalPruneOptions,
  type JournalQuery,
  type NewJournalEntry,
} from './entry.js';
import { openJournalDatabase, type JournalSynchronous } from './database.js';
import { encodeJson } from './json.js';
import { listSql } from './query.js';
import { ENTRY_COLUMNS, entryToParams, rowToEntry, type EntryRow, type InsertParams } from './row.js';
import { journalTime } from './time.js';

export interface JournalOptions {
  /** 'normal' (default) or 'full': see the comment in database.ts. */
  readonly synchronous?: JournalSynchronous;
  /** The clock prune measures keepDays against; default the system clock. */
  readonly now?: () => Date;
}

export interface Journal {
  /** The file, or ':memory:'. */
  readonly path: string;
  /** Ids of the entries this open found 'running' and made 'interrupted', oldest first. */
  readonly interruptedAtOpen: readonly number[];
  /** A finished action in one write. */
  record(entry: NewJournalEntry): JournalEntry;
  /** An action about to start: written now with outcome 'running', completed by finish. */
  begin(entry: BegunJournalEntry): JournalEntry;
  /** Completes a 'running' entry; ENOENT when there is none, EALREADY when it is not running. */
  finish(id: number, end: JournalFinish): JournalEntry;
  get(id: number): JournalEntry | undefined;
  list(query?: JournalQuery): JournalEntry[];
  /** Marks entry `id` undone by entry `undoId` (both must exist); EALREADY when another undid it. */
  markUndone(id: number, undoId: number): JournalEntry;
  /**
   * Whether an action with this spec hash ran with outcome 'ok' on this process (pid and start
   * time: a reused pid is another process). An entry undone since still counts: a restarted
   * daemon must not redo what a user undid.
   */
  appliedFor(pid: number, start: number, rule: string | null, action: string, spec: string): boolean;
  /** Drops old entries (never 'running' ones) and gives the space back; returns how many went. */
  prune(opts?: JournalPruneOptions): number;
  /** Runs fn in one transaction (e.g. finish an undo and markUndone its target together). */
  atomically<T>(fn: () => T): T;
  close(): void;
}

const INTERRUPTED_ERROR = 'numapol stopped before this action finished: the process may be partly changed';
const FINAL_OUTCOMES: readonly JournalFinalOutcome[] = ['ok', 'partial', 'failed', 'gone', 'advised', 'skipped'];
const DAY_MS = 86_400_000;

/**
 * The row an INSERT … RETURNING wrote. all(), not get(): get() resets the statement after its
 * first row, so the commit happens in the reset, and SQLite runs its WAL hook (the automatic
 * checkpoint) only when a step ends the statement: with get() the WAL grew without bound
 * (512 MB after 7,700 entries of crash-writer.ts, the database file never written).
 */
function written<P extends unknown[]>(stmt: Database.Statement<P, EntryRow>, ...params: P): EntryRow {
  return stmt.all(...params)[0]!;
}

function checkFinal(outcome: string): void {
  if (!(FINAL_OUTCOMES as readonly string[]).includes(outcome)) {
    throw new NumapolError('EINVAL', `journal outcome ${JSON.stringify(outcome)} is not one an action ends with (${FINAL_OUTCOMES.join(', ')})`);
  }
}

function checkId(id: number, what: string): void {
  if (!Number.isSafeInteger(id) || id < 1) throw new NumapolError('EINVAL', `journal ${what} ${id} is not an entry id`);
}

function checkKeep(value: number, what: string): void {
  if (!(value >= 0)) throw new NumapolError('EINVAL', `journal prune ${what} must be 0 or more, not ${value}`);
}

class SqliteJournal implements Journal {
  readonly interruptedAtOpen: readonly number[];
  private readonly insert: Database.Statement<[InsertParams], EntryRow>;
  private readonly selectOne: Database.Statement<[number], EntryRow>;
  private readonly complete: Database.Statement<[string | null, string | null, string, string | null, number], EntryRow>;
  private readonly undone: Database.Statement<[number, number, number], EntryRow>;
  private readonly exists: Database.Statement<[number], number>;
  private readonly applied: Database.Statement<[number, number, string | null, string, string], number>;
  private readonly pruneOld: Database.Statement<[string], unknown>;
  private readonly pruneMany: Database.Statement<[number], unknown>;
  private readonly lists = new Map<string, Database.Statement<(string | number)[], EntryRow>>();

  constructor(
    readonly path: string,
    private readonly db: Database.Database,
    private readonly now: () => Date,
  ) {
    const cols = ENTRY_COLUMNS;
    this.insert = db.prepare(
      `INSERT INTO entries (time, pid, start, comm, cgroup, rule, source, action, mode, spec, params_json, before_json, result_json, outcome, error, undoes)
       VALUES (@time, @pid, @start, @comm, @cgroup, @rule, @source, @action, @mode, @spec, @params_json, @before_json, @result_json, @outcome, @error, @undoes)
       RETURNING ${cols}`,
    );
    this.selectOne = db.prepare(`SELECT ${cols} FROM entries WHERE id = ?`);
    this.complete = db.prepare(`UPDATE entries SET before_json = coalesce(?, before_json), result_json = ?, outcome = ?, error = ? WHERE id = ? AND outcome = 'running' RETURNING ${cols}`);
    this.undone = db.prepare(`UPDATE entries SET undone_by = ? WHERE id = ? AND (undone_by IS NULL OR undone_by = ?) RETURNING ${cols}`);
    this.exists = db.prepare<[number], number>('SELECT 1 FROM entries WHERE id = ?').pluck();
    this.applied = db
      .prepare<[number, number, string | null, string, string], number>(
        "SELECT 1 FROM entries WHERE pid = ? AND start = ? AND rule IS ? AND action = ? AND spec = ? AND outcome = 'ok' LIMIT 1",
      )
      .pluck();
    this.pruneOld = db.prepare("DELETE FROM entries WHERE time < ? AND outcome <> 'running'");
    this.pruneMany = db.prepare(
      "DELETE FROM entries WHERE outcome <> 'running' AND id IN (SELECT id FROM entries ORDER BY time DESC, id DESC LIMIT -1 OFFSET ?)",
    );
    this.interruptedAtOpen = db
      .prepare<[string], number>("UPDATE entries SET outcome = 'interrupted', error = coalesce(error, ?) WHERE outcome = 'running' RETURNING id")
      .pluck()
      .all(INTERRUPTED_ERROR)
      .sort((a, b) => a - b);
  }

  record(entry: NewJournalEntry): JournalEntry {
    checkFinal(entry.outcome);
    return rowToEntry(written(this.insert, entryToParams(entry)));
  }

  begin(entry: BegunJournalEntry): JournalEntry {
    return rowToEntry(written(this.insert, entryToParams({ ...entry, result: null, error: null, outcome: 'running' })));
  }

  finish(id: number, end: JournalFinish): JournalEntry {
    checkId(id, 'entry');
    checkFinal(end.outcome);
    const before = end.before === undefined ? null : encodeJson(end.before, 'before');
    const [row] = this.complete.all(before, encodeJson(end.result, 'result'), end.outcome, end.error ?? null, id);
    if (row !== undefined) return rowToEntry(row);
    const was = this.selectOne.get(id);
    if (was === undefined) throw new NumapolError('ENOENT', `journal entry ${id} does not exist`, { details: { id } });
    throw new NumapolError('EALREADY', `journal entry ${id} is not running (it is ${was.outcome})`, { details: { id, outcome: was.outcome } });
  }

  get(id: number): JournalEntry | undefined {
    const row = this.selectOne.get(id);
    return row === undefined ? undefined : rowToEntry(row);
  }

  list(query: JournalQuery = {}): JournalEntry[] {
    const q = listSql(query);
    let stmt = this.lists.get(q.shape);
    if (stmt === undefined) {
      stmt = this.db.prepare<(string | number)[], EntryRow>(q.sql);
      this.lists.set(q.shape, stmt);
    }
    return stmt.all(...q.params).map(rowToEntry);
  }

  markUndone(id: number, undoId: number): JournalEntry {
    checkId(id, 'entry');
    checkId(undoId, 'undo entry');
    if (id === undoId) throw new NumapolError('EINVAL', `journal entry ${id} cannot undo itself`);
    return this.atomically(() => {
      if (this.exists.get(undoId) === undefined) throw new NumapolError('ENOENT', `journal entry ${undoId} (the undo) does not exist`, { details: { id: undoId } });
      const [row] = this.undone.all(undoId, id, undoId);
      if (row !== undefined) return rowToEntry(row);
      const was = this.selectOne.get(id);
      if (was === undefined) throw new NumapolError('ENOENT', `journal entry ${id} does not exist`, { details: { id } });
      throw new NumapolError('EALREADY', `journal entry ${id} was already undone by entry ${was.undone_by}`, { details: { id, undoneBy: was.undone_by } });
    });
  }

  appliedFor(pid: number, start: number, rule: string | null, action: string, spec: string): boolean {
    return this.applied.get(pid, start, rule, action, spec) !== undefined;
  }

  prune(opts: JournalPruneOptions = {}): number {
    const keepDays = opts.keepDays ?? DEFAULT_KEEP_DAYS;
    const keepEntries = opts.keepEntries ?? DEFAULT_KEEP_ENTRIES;
    checkKeep(keepDays, 'keepDays');
    checkKeep(keepEntries, 'keepEntries');
    const deleted = this.atomically(() => {
      let n = 0;
      if (Number.isFinite(keepDays)) n += this.pruneOld.run(journalTime(new Date(this.now().getTime() - keepDays * DAY_MS))).changes;
      if (Number.isFinite(keepEntries)) n += this.pruneMany.run(Math.floor(keepEntries)).changes;
      return n;
    });
    if (deleted > 0 && !this.db.memory) {
      // Free pages go back to the file system, then the WAL that holds them into the file.
      this.db.pragma('incremental_vacuum');
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    }
    return deleted;
  }

  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/**
 * Opens (creating when missing) the journal at `path`, or ':memory:' for one that lives as
 * long as the object. Throws a NumapolError with code EJOURNAL when the file is not a numapol
 * journal, is from a newer numapol, or cannot be opened; the message says what to do.
 */
export function openJournal(path: string, opts: JournalOptions = {}): Journal {
  const db = openJournalDatabase(path, opts.synchronous ?? 'normal');
  try {
    return new SqliteJournal(path, db, opts.now ?? (() => new Date()));
  } catch (e) {
    db.close();
    throw e;
  }
}
