/**
 * What the daemon's core needs from outside, as interfaces: where processes come from (/proc and
 * the process-events connector), the journal, a logger and a clock. The service wires the real
 * ones (live-sources.ts, journal/); unit tests drive the core with fakes.
 */
import type { ChooseFacts } from './rules/choose.js';

export type { ProcEvent } from '../ops/index.js';
import type { ProcEvent } from '../ops/index.js';

export interface DaemonFacts extends ChooseFacts {
  readonly start: number;
  readonly ppid: number;
}

export interface EventStream {
  close(): void;
  readonly stats: { readonly events: number; readonly overruns: number };
}

export interface ProcessSource {
  /** What rules match on; undefined when the process is gone. */
  facts(pid: number): DaemonFacts | undefined;
  /** The start time that identifies the process behind `pid` now; undefined when gone. */
  start(pid: number): number | undefined;
  pids(): number[];
  /** Process events; throws (NumapolError ENOCONNECTOR) when the connector is unavailable. */
  watch(onEvents: (events: readonly ProcEvent[]) => void, onOverrun: () => void): EventStream;
}

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };

export type { BegunJournalEntry, JournalEntry, JournalOutcome, JournalQuery, JournalSource } from './journal/index.js';
import type { Journal } from './journal/index.js';

/** What the core uses of the journal (journal/: SQLite). */
export type JournalPort = Pick<Journal, 'record' | 'begin' | 'finish' | 'get' | 'list' | 'markUndone' | 'appliedFor' | 'atomically'>;
