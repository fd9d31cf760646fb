/**
 * The daemon's view of one process, keyed by pid but identified by (pid, start time): a pid that
 * comes back with another start time is another process and gets a fresh entry.
 */
import type { JournalOutcome } from '../ports.js';

export type TrackedState = 'managed' | 'excluded' | 'unmatched' | 'untouchable';

export interface Tracked {
  readonly pid: number;
  readonly start: number;
  comm: string;
  cgroup: string | null;
  rule: string | null;
  /** The job its rule puts it in (`job: NAME`). */
  job: string | null;
  state: TrackedState;
  /** Why an untouchable process is left alone. */
  reason?: string;
  /** Rescans look at it again (a rule may match it later: min-rss, min-threads, cgroup). */
  recheck: boolean;
  /** Outcome per action spec, for the program the process runs now (exec starts afresh). */
  readonly done: Map<string, JournalOutcome>;
  /** Specs queued or running. */
  readonly queued: Set<string>;
  /** The process's actions run one after the other. */
  chain: Promise<void>;
  /**
   * When its facts were last read (CLOCK_MONOTONIC ns, taken before the read); 0 when what is
   * known came from its parent at fork. An event older than this is already reflected.
   */
  seenNs: bigint;
}

export function newTracked(pid: number, start: number, comm: string, cgroup: string | null): Tracked {
  return { pid, start, comm, cgroup, rule: null, job: null, state: 'unmatched', recheck: false, done: new Map(), queued: new Set(), chain: Promise.resolve(), seenNs: 0n };
}
