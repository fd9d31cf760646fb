/**
 * list()'s filters as SQL. Each filter is a plain `column = ?` term, present or absent, so
 * SQLite can use the index for it (an `(? IS NULL OR pid = ?)` term would defeat the index);
 * the few shapes that gives (2^5 filter sets × 2 orders) each get one prepared statement,
 * keyed by `shape`.
 */
import { UsageError } from '../../errors.js';
import { DEFAULT_LIST_LIMIT, type JournalQuery } from './entry.js';
import { ENTRY_COLUMNS } from './row.js';
import { journalTime } from './time.js';

export interface ListSql {
  readonly shape: string;
  readonly sql: string;
  readonly params: readonly (string | number)[];
}

function isDate(d: unknown): d is Date {
  return d instanceof Date && Number.isFinite(d.getTime());
}

export function listSql(q: JournalQuery): ListSql {
  const terms: string[] = [];
  const params: (string | number)[] = [];
  let shape = '';
  const add = (flag: string, term: string, value: string | number): void => {
    shape += flag;
    terms.push(term);
    params.push(value);
  };
  if (q.pid !== undefined) add('p', 'pid = ?', q.pid);
  if (q.since !== undefined) {
    if (!isDate(q.since)) throw new UsageError('journal since: not a valid date');
    add('s', 'time >= ?', journalTime(q.since));
  }
  if (q.until !== undefined) {
    if (!isDate(q.until)) throw new UsageError('journal until: not a valid date');
    add('u', 'time < ?', journalTime(q.until));
  }
  if (q.rule !== undefined) add('r', 'rule = ?', q.rule);
  if (q.action !== undefined) add('a', 'action = ?', q.action);
  const limit = q.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new UsageError(`journal limit must be a whole number of at least 1, not ${limit}`);
  params.push(limit);
  const order = q.order ?? 'newest';
  if (order !== 'newest' && order !== 'oldest') throw new UsageError(`journal order must be newest or oldest, not ${String(order)}`);
  const dir = order === 'newest' ? 'DESC' : 'ASC';
  shape += order === 'newest' ? '<' : '>';
  const where = terms.length > 0 ? ` WHERE ${terms.join(' AND ')}` : '';
  return { shape, sql: `SELECT ${ENTRY_COLUMNS} FROM entries${where} ORDER BY time ${dir}, id ${dir} LIMIT ?`, params };
}
