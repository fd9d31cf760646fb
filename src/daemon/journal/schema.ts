/**
 * The journal's schema, as the migrations that build it. A database is at version N when
 * numapol_schema holds rows 1..N; openJournal runs the missing ones, each in the transaction
 * that records it, so a crash leaves a database at some version, never between two. Later
 * versions append here (ALTER TABLE … ADD COLUMN keeps old rows); a version is never edited
 * once released.
 */

/** SQLite's header field for "which program's file is this": "NMPL". */
export const APPLICATION_ID = 0x4e4d504c;

export const SCHEMA_TABLE = 'numapol_schema';

export interface Migration {
  readonly version: number;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    // AUTOINCREMENT: ids are what users type (`numapol undo 42`) and what undoes/undone_by
    // point at; a pruned id is never given to a new entry. No foreign keys for those two: prune
    // may drop an entry that a kept one names.
    sql: `
      CREATE TABLE entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time TEXT NOT NULL,
        pid INTEGER,
        start INTEGER,
        comm TEXT,
        cgroup TEXT,
        rule TEXT,
        source TEXT NOT NULL,
        action TEXT NOT NULL,
        mode TEXT NOT NULL,
        spec TEXT,
        params_json TEXT,
        before_json TEXT,
        result_json TEXT,
        outcome TEXT NOT NULL,
        error TEXT,
        undoes INTEGER,
        undone_by INTEGER
      );
      CREATE INDEX entries_time ON entries (time);
      CREATE INDEX entries_process ON entries (pid, start);
      CREATE INDEX entries_rule ON entries (rule, time);
      CREATE INDEX entries_action ON entries (action, time);
      CREATE INDEX entries_running ON entries (outcome) WHERE outcome = 'running';
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
