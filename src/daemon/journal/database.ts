/**
 * Opens the journal's SQLite database: recognizes it as a numapol journal (or an empty file to
 * start), sets WAL and the sync level, and brings the schema up to LATEST_VERSION.
 */
import Database from 'better-sqlite3';
import { NumapolError } from '../../errors.js';
import { prepareJournalFile } from './file.js';
import { APPLICATION_ID, LATEST_VERSION, MIGRATIONS, SCHEMA_TABLE } from './schema.js';

export type JournalSynchronous = 'normal' | 'full';

export const MEMORY_PATH = ':memory:';

const AUTO_VACUUM_INCREMENTAL = 2;

function sqliteFailure(path: string, e: unknown): NumapolError {
  const code = (e as { code?: unknown }).code;
  const why =
    code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT'
      ? 'the file is damaged or not a numapol journal: move it away to start a new one'
      : code === 'SQLITE_BUSY'
        ? 'another process holds it locked'
        : code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM'
          ? 'check that the daemon may write the file and its directory'
          : 'SQLite failed';
  return new NumapolError('EJOURNAL', `cannot open journal ${path}: ${why} (${(e as Error).message})`, { cause: e, details: { path, sqlite: code } });
}

type Kind = { kind: 'fresh' } | { kind: 'journal'; version: number };

function identify(db: Database.Database, path: string): Kind {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[]).filter((t) => !t.startsWith('sqlite_'));
  if (appId === 0 && tables.length === 0) return { kind: 'fresh' };
  if (appId !== APPLICATION_ID) {
    throw new NumapolError(
      'EJOURNAL',
      `${path} is an SQLite database but not a numapol journal (application id 0x${appId.toString(16)}, tables: ${tables.join(', ') || 'none'}): move it away, or give the daemon another journal path`,
      { details: { path, applicationId: appId, tables } },
    );
  }
  if (!tables.includes(SCHEMA_TABLE)) {
    throw new NumapolError('EJOURNAL', `journal ${path} has lost its ${SCHEMA_TABLE} table (changed outside numapol): move it away to start a new journal`, {
      details: { path },
    });
  }
  const version = storedVersion(db);
  if (version > LATEST_VERSION) {
    throw new NumapolError(
      'EJOURNAL',
      `journal ${path} has schema version ${version}, from a newer numapol; this one reads versions up to ${LATEST_VERSION}: upgrade numapol, or move the file away to start a new journal`,
      { details: { path, version, supported: LATEST_VERSION } },
    );
  }
  return { kind: 'journal', version };
}

function storedVersion(db: Database.Database): number {
  const has = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").pluck().get(SCHEMA_TABLE) !== undefined;
  return has ? ((db.prepare(`SELECT max(version) FROM ${SCHEMA_TABLE}`).pluck().get() as number | null) ?? 0) : 0;
}

function migrate(db: Database.Database, from: number): void {
  for (const m of MIGRATIONS) {
    if (m.version <= from) continue;
    db.transaction(() => {
      // Another process opening the same file may have migrated since identify() looked: the
      // IMMEDIATE transaction holds the write lock, so this look is the last word.
      if (storedVersion(db) >= m.version) return;
      // Inside the transaction: the id marks the file as ours only once version 1 is whole.
      if (m.version === 1) {
        db.pragma(`application_id = ${APPLICATION_ID}`);
        db.exec(`CREATE TABLE ${SCHEMA_TABLE} (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)`);
      }
      db.exec(m.sql);
      db.prepare(`INSERT INTO ${SCHEMA_TABLE} (version, applied) VALUES (?, ?)`).run(m.version, new Date().toISOString());
    }).immediate();
  }
}

/** The database, at LATEST_VERSION, or a NumapolError (code EJOURNAL) saying what to do. */
export function openJournalDatabase(path: string, synchronous: JournalSynchronous): Database.Database {
  const memory = path === MEMORY_PATH;
  if (!memory) prepareJournalFile(path);
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (e) {
    throw sqliteFailure(path, e);
  }
  try {
    const kind = identify(db, path);
    // Lets prune give pages back to the file system. It must be set before the database has a
    // header (before WAL mode writes one); a file whose creation was cut short after that needs
    // a VACUUM, instant on a database with no tables.
    if (kind.kind === 'fresh') {
      db.pragma('auto_vacuum = INCREMENTAL');
      if (db.pragma('auto_vacuum', { simple: true }) !== AUTO_VACUUM_INCREMENTAL) db.exec('VACUUM');
    }
    if (!memory) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new NumapolError('EJOURNAL', `journal ${path} cannot use WAL mode (SQLite kept ${String(mode)}): put it on a local file system`, { details: { path } });
    }
    // NORMAL in WAL mode: a commit is written to the WAL (the kernel's page cache) before
    // record/finish return, so an entry survives the daemon's crash or SIGKILL; only a power loss
    // or kernel crash can lose the last commits, never corrupt the file. That loss is harmless
    // here: the policies those entries describe lived in processes a reboot ends too, and
    // appliedFor keys on (pid, start), which no process after a reboot shares. FULL adds an
    // fsync per entry (bench/journal.ts measures the cost) for no gain the journal needs.
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    migrate(db, kind.kind === 'fresh' ? 0 : kind.version);
    return db;
  } catch (e) {
    db.close();
    if (e instanceof NumapolError) throw e;
    throw sqliteFailure(path, e);
  }
}
