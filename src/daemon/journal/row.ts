/**
 * Entries as table rows and back. The file is an edge (anyone with root can edit it): a row is
 * checked as it is read, and one numapol did not write is reported, not passed on.
 */
import { NumapolError } from '../../errors.js';
import { JOURNAL_MODES, JOURNAL_OUTCOMES, JOURNAL_SOURCES, type JournalEntry } from './entry.js';
import { decodeJson, encodeJson } from './json.js';
import { normalizeTime } from './time.js';

export interface EntryRow {
  id: number;
  time: string;
  pid: number | null;
  start: number | null;
  comm: string | null;
  cgroup: string | null;
  rule: string | null;
  source: string;
  action: string;
  mode: string;
  spec: string | null;
  params_json: string | null;
  before_json: string | null;
  result_json: string | null;
  outcome: string;
  error: string | null;
  undoes: number | null;
  undone_by: number | null;
}

/** Named parameters of the insert statement (better-sqlite3 binds `@name`). */
export type InsertParams = Omit<EntryRow, 'id' | 'undone_by'>;

export const ENTRY_COLUMNS =
  'id, time, pid, start, comm, cgroup, rule, source, action, mode, spec, params_json, before_json, result_json, outcome, error, undoes, undone_by';

function oneOf<T extends string>(value: string, allowed: readonly T[], id: number, what: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new NumapolError('EJOURNAL', `journal entry ${id} has an unknown ${what} ${JSON.stringify(value)}: the file was changed outside numapol`, {
    details: { id },
  });
}

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

// A value a reader would refuse is refused here instead: one bad row would fail every list().
function checkWritable(e: Omit<JournalEntry, 'id' | 'undoneBy'>): void {
  const bad = (what: string, v: unknown): NumapolError => new NumapolError('EINVAL', `journal entry ${what} ${JSON.stringify(v)} is not valid`);
  if (!(JOURNAL_SOURCES as readonly string[]).includes(e.source)) throw bad('source', e.source);
  if (!(JOURNAL_MODES as readonly string[]).includes(e.mode)) throw bad('mode', e.mode);
  if (!(JOURNAL_OUTCOMES as readonly string[]).includes(e.outcome)) throw bad('outcome', e.outcome);
  if (typeof e.action !== 'string' || e.action === '') throw bad('action', e.action);
  for (const [what, v] of [['pid', e.pid], ['start', e.start], ['undoes', e.undoes]] as const) {
    if (v !== null && v !== undefined && !Number.isSafeInteger(v)) throw bad(what, v);
  }
}

export function entryToParams(e: Omit<JournalEntry, 'id' | 'undoneBy'>): InsertParams {
  checkWritable(e);
  return {
    time: normalizeTime(e.time),
    pid: orNull(e.pid),
    start: orNull(e.start),
    comm: orNull(e.comm),
    cgroup: orNull(e.cgroup),
    rule: orNull(e.rule),
    source: e.source,
    action: e.action,
    mode: e.mode,
    spec: orNull(e.spec),
    params_json: encodeJson(e.params, 'params'),
    before_json: encodeJson(e.before, 'before'),
    result_json: encodeJson(e.result, 'result'),
    outcome: e.outcome,
    error: orNull(e.error),
    undoes: orNull(e.undoes),
  };
}

export function rowToEntry(r: EntryRow): JournalEntry {
  return {
    id: r.id,
    time: r.time,
    pid: r.pid,
    start: r.start,
    comm: r.comm,
    cgroup: r.cgroup,
    rule: r.rule,
    source: oneOf(r.source, JOURNAL_SOURCES, r.id, 'source'),
    action: r.action,
    mode: oneOf(r.mode, JOURNAL_MODES, r.id, 'mode'),
    spec: r.spec,
    params: decodeJson(r.params_json, r.id, 'params'),
    before: decodeJson(r.before_json, r.id, 'before'),
    result: decodeJson(r.result_json, r.id, 'result'),
    outcome: oneOf(r.outcome, JOURNAL_OUTCOMES, r.id, 'outcome'),
    error: r.error,
    undoes: r.undoes,
    undoneBy: r.undone_by,
  };
}
