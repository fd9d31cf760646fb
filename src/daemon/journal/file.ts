/**
 * The journal file before SQLite sees it: the directory and file are made private (the entries
 * name processes, users' cgroups and command lines), and a file that exists but is not an SQLite
 * database is refused before SQLite could write a WAL beside it.
 */
import { chmodSync, closeSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { NumapolError } from '../../errors.js';

const SQLITE_MAGIC = 'SQLite format 3\0';

function journalError(path: string, doing: string, e: unknown): NumapolError {
  const err = e as NodeJS.ErrnoException;
  return new NumapolError('EJOURNAL', `cannot ${doing} journal ${path}: ${err.code ?? ''} ${err.message}`.replace(/ {2,}/g, ' '), {
    cause: e,
    details: { path },
  });
}

/** Makes the parent directory (0700) and an empty file (0600) when missing; checks an existing file's header. */
export function prepareJournalFile(path: string): void {
  const dir = dirname(path);
  try {
    // Only directories this call makes get 0700: an existing /var/lib stays as it is.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw journalError(path, 'create the directory of', e);
  }
  let created = false;
  try {
    writeFileSync(path, '', { flag: 'wx', mode: 0o600 });
    created = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw journalError(path, 'create', e);
  }
  if (created) {
    // mode is filtered by the umask; 0600 is what we want whatever the umask (SQLite gives the
    // -wal and -shm files the database file's mode).
    chmodSync(path, 0o600);
    return;
  }
  checkHeader(path);
}

function checkHeader(path: string): void {
  let fd: number;
  try {
    if (!statSync(path).isFile()) throw new NumapolError('EJOURNAL', `journal ${path} is not a regular file: give the daemon a file path`, { details: { path } });
    fd = openSync(path, 'r');
  } catch (e) {
    if (e instanceof NumapolError) throw e;
    throw journalError(path, 'open', e);
  }
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    const n = readSync(fd, head, 0, head.length, 0);
    // An empty file is a journal whose creation was cut short: SQLite starts it afresh.
    if (n === 0) return;
    if (n < head.length || head.toString('latin1') !== SQLITE_MAGIC) {
      throw new NumapolError('EJOURNAL', `${path} is not a numapol journal (not an SQLite database): move it away, or give the daemon another journal path`, {
        details: { path },
      });
    }
  } finally {
    closeSync(fd);
  }
}
