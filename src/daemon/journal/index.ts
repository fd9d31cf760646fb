/** The daemon's journal (SQLite) and the CLI's --since forms. */
export * from './entry.js';
export { openJournal, type Journal, type JournalOptions } from './journal.js';
export type { JournalSynchronous } from './database.js';
export { parseSince, type ParseSinceOptions } from './since.js';
