/**
 * What the journal holds: one entry per action the daemon took, or would have taken in advise
 * mode. docs/daemon-design.md is the contract; two things are added here:
 *
 * - `spec`: a hash the caller computes of what the action asked for, so a restarted daemon can
 *   tell whether this exact action already ran on this process (Journal.appliedFor).
 * - outcomes 'running' and 'interrupted': an action that changes a process is journalled before
 *   it starts (Journal.begin, outcome 'running') and completed after (Journal.finish). If the
 *   daemon dies in between, the next open turns the row into 'interrupted': the journal still
 *   shows the action began, and that the process may be partly changed.
 */

export type JournalSource = 'rule' | 'api' | 'undo' | 'shutdown' | 'file';
export type JournalMode = 'enforce' | 'advise';

/** How an action ended: what `record` and `finish` accept. */
export type JournalFinalOutcome = 'ok' | 'partial' | 'failed' | 'gone' | 'advised' | 'skipped';

/**
 * 'running': begun and not finished yet. 'interrupted': was running when the journal was last
 * closed without finishing it (the daemon crashed or was killed mid-action); set by openJournal,
 * never by a caller.
 */
export type JournalOutcome = JournalFinalOutcome | 'running' | 'interrupted';

export interface JournalEntry {
  id: number;
  /** ISO 8601 in UTC with milliseconds, as Date.prototype.toISOString writes it. */
  time: string;
  pid: number | null;
  /** /proc/PID/stat field 22: with pid, the identity of a process. */
  start: number | null;
  comm: string | null;
  cgroup: string | null;
  /** Rule name; null for API requests. */
  rule: string | null;
  source: JournalSource;
  /** policy | vma-policy | cpus | migrate | file-policy | undo | … */
  action: string;
  mode: JournalMode;
  /** Caller's hash of what the action asked for (appliedFor's key); null when not relevant. */
  spec: string | null;
  /**
   * What was asked, the state before, the ops report: stored as JSON and read back in JSON form
   * (bigint as a "0x…" hex string, Map as an object, Set as an array, undefined fields dropped).
   */
  params: unknown;
  before: unknown | null;
  result: unknown | null;
  outcome: JournalOutcome;
  error: string | null;
  /** For undo entries: the entry undone. */
  undoes: number | null;
  undoneBy: number | null;
}

/** A finished action, recorded in one write. */
export type NewJournalEntry = Omit<JournalEntry, 'id' | 'undoneBy' | 'outcome'> & { outcome: JournalFinalOutcome };

/** An action about to start: its result, outcome and error come with `finish`. */
export type BegunJournalEntry = Omit<JournalEntry, 'id' | 'undoneBy' | 'outcome' | 'result' | 'error'>;

export interface JournalFinish {
  /**
   * The state before, when it is only known once the action ran (the daemon reads each thread's
   * policy in the same stop that sets it); absent: whatever `begin` recorded stays.
   */
  before?: unknown | null;
  result: unknown | null;
  outcome: JournalFinalOutcome;
  error: string | null;
}

export type JournalOrder = 'newest' | 'oldest';

export interface JournalQuery {
  pid?: number;
  /** Entries at or after this instant. */
  since?: Date;
  /** Entries before this instant (exclusive, so [since, until) windows tile). */
  until?: Date;
  rule?: string;
  action?: string;
  /** At most this many entries; default 1000. */
  limit?: number;
  /** By time, then id; default 'newest' first. */
  order?: JournalOrder;
}

export interface JournalPruneOptions {
  /** Drop entries older than this many days; default 90. Infinity keeps all. */
  keepDays?: number;
  /** Keep at most this many entries, the newest; default 100,000. Infinity keeps all. */
  keepEntries?: number;
}

export const JOURNAL_SOURCES: readonly JournalSource[] = ['rule', 'api', 'undo', 'shutdown', 'file'];
export const JOURNAL_MODES: readonly JournalMode[] = ['enforce', 'advise'];
export const JOURNAL_OUTCOMES: readonly JournalOutcome[] = ['ok', 'partial', 'failed', 'gone', 'advised', 'skipped', 'running', 'interrupted'];
export const DEFAULT_LIST_LIMIT = 1000;
export const DEFAULT_KEEP_DAYS = 90;
export const DEFAULT_KEEP_ENTRIES = 100_000;
