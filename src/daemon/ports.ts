/**
 * What the daemon's core needs from outside, as interfaces: where processes come from (/proc and
 * the process-events connector), the journal, a logger and a clock. The service wires the real
 * ones (live-sources.ts, journal/); unit tests drive the core with fakes.
 */
import type { ChooseFacts } from './rules/choose.js';

// TODO(merge): from ops/watch/proc-events.ts once it lands.
export type ProcEvent =
  | { kind: 'fork'; pid: number; tid: number; parentPid: number; parentTid: number }
  | { kind: 'exec'; pid: number; tid: number }
  | { kind: 'comm'; pid: number; tid: number; comm: string }
  | { kind: 'exit'; pid: number; tid: number; code: number; signal: number };

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

// TODO(merge): the journal's own types (journal/) once they land.
export type JournalOutcome = 'ok' | 'partial' | 'failed' | 'gone' | 'advised' | 'skipped' | 'running' | 'interrupted';
export type JournalSource = 'rule' | 'api' | 'undo' | 'shutdown' | 'file';

export interface JournalEntry {
  readonly id: number;
  readonly time: string;
  readonly pid: number | null;
  readonly start: number | null;
  readonly comm: string | null;
  readonly cgroup: string | null;
  readonly rule: string | null;
  readonly source: JournalSource;
  readonly action: string;
  readonly mode: 'enforce' | 'advise';
  readonly params: unknown;
  readonly before: unknown;
  readonly result: unknown;
  readonly outcome: JournalOutcome;
  readonly error: string | null;
  readonly spec: string | null;
  readonly undoes: number | null;
  readonly undoneBy: number | null;
}

export type NewEntry = Omit<JournalEntry, 'id' | 'undoneBy'>;

export interface JournalQuery {
  readonly pid?: number;
  readonly since?: Date;
  readonly until?: Date;
  readonly rule?: string;
  readonly action?: string;
  readonly limit?: number;
  readonly order?: 'asc' | 'desc';
}

export interface JournalPort {
  record(e: NewEntry): JournalEntry;
  begin(e: NewEntry): JournalEntry;
  finish(id: number, r: { before: unknown; result: unknown; outcome: JournalOutcome; error: string | null }): JournalEntry;
  get(id: number): JournalEntry | undefined;
  list(q?: JournalQuery): JournalEntry[];
  markUndone(id: number, undoId: number): void;
  appliedFor(pid: number, start: number, rule: string, action: string, spec: string): boolean;
}
