/** What a job move is asked, what it reports, and what it records to be undone. */
import type { ThreadAffinity } from '../cpus/process-affinity.js';
import type { Flow, PageTally, Progress } from '../move-pages.js';
import type { OpsOptions } from '../options.js';
import type { PaceOptions } from '../pace.js';
import type { PagePlacement } from '../placement/page-placement.js';
import type { StopProcessOptions } from '../set-policy.js';
import type { MemberPolicyReport, ProcessPolicies } from './job-policies.js';
import type { PageIdentity } from './shared-pages.js';

export interface JobProgress extends Progress {
  /** The member whose pages are moving, and its place in the job. */
  readonly pid: number;
  readonly member: number;
  readonly members: number;
}

export interface MoveJobOptions extends OpsOptions, PaceOptions, Omit<StopProcessOptions, 'dryRun'> {
  /** Destination nodes (a numactl node list, or numbers). */
  readonly to: string | readonly number[];
  /** Source nodes; default: the nodes the job uses now (jobNodes), or a cgroup's cpuset.mems. */
  readonly from?: string | readonly number[];
  /** The job is this cgroup v2 (its path as /proc/PID/cgroup shows it): cpuset.cpus/mems move it. */
  readonly cgroup?: string;
  /** Plan only: read placement and policies, change nothing. */
  readonly dryRun?: boolean;
  /** Move pages other processes map too (MPOL_MF_MOVE_ALL; default: when root). */
  readonly moveShared?: boolean;
  readonly onProgress?: (p: JobProgress) => void;
  /**
   * Sees every move_pages call of the paced path before it runs: the member, its entries'
   * addresses and destinations, and whether it is a pass over busy pages (tracing, and tests
   * that check which member moved which page).
   */
  readonly onMoveCall?: (pid: number, addrs: BigUint64Array, dest: Int32Array, retry: boolean) => void;
}

/** move_pages entries: how many times a page was handed to the kernel to move. */
export interface MoveEntries {
  /** move_pages calls that moved pages (placement queries are not counted). */
  calls: number;
  /** Entries of first attempts. */
  entries: number;
  /** Entries of the passes over pages the kernel called busy. */
  retryEntries: number;
  /** First-attempt entries: `shared` moved a page other members map too, for all of them. */
  byKind: { private: number; shared: number };
  /** First-attempt entries per mapping (path, or [heap], [stack], [anon]...). */
  byMapping: Record<string, number>;
}

export interface MemberMoveReport {
  readonly pid: number;
  /** The process exited during the move: what it had done before is reported. */
  readonly gone: boolean;
  readonly affinity: readonly { tid: number; before: readonly number[]; after: readonly number[] }[];
  readonly policies?: MemberPolicyReport;
  /**
   * Per-page outcomes of this member's pages. `notSelected` includes the mappings of shared pages
   * it left to another member (sharedSkipped). For a cgroup job: each recorded page's outcome.
   */
  readonly tally: PageTally;
  readonly flows: readonly Flow[];
  readonly entries: MoveEntries;
  /** Mappings of shared pages moved by another member's entry (base pages). */
  readonly sharedSkipped: number;
  /** Pages per node of its movable mappings before and after (numa_maps). */
  readonly pagesBefore: Readonly<Record<number, number>>;
  readonly pagesAfter?: Readonly<Record<number, number>>;
}

export interface CgroupMove {
  readonly path: string;
  readonly cpus: { before: string; after: string };
  readonly mems: { before: string; after: string };
  readonly cpusWriteMs: number;
  /** The cpuset.mems write: the kernel migrates every page inside it (one unpaced step). */
  readonly memsWriteMs: number;
}

export interface JobMoveReport {
  /** 'move_pages': paced steps; 'cpuset': the cgroup's cpuset.mems write moved the pages. */
  readonly method: 'move_pages' | 'cpuset';
  readonly dryRun: boolean;
  readonly from: readonly number[];
  readonly to: readonly number[];
  readonly map: readonly { from: number; to: number }[];
  readonly cgroup?: CgroupMove;
  readonly members: readonly MemberMoveReport[];
  /** Members that had exited before or during the move. */
  readonly gone: readonly number[];
  /** Every page once: shared pages count under the member that moved them. */
  readonly tally: PageTally;
  readonly flows: readonly Flow[];
  /** Pages that should have moved and did not. */
  readonly notMoved: number;
  readonly shared: {
    /** Distinct pages more than one member maps (base pages). */
    readonly pages: number;
    /** Their extra mappings, left to the member that moved each page once. */
    readonly skippedMappings: number;
    readonly identity: PageIdentity;
  };
  readonly entries: MoveEntries;
  readonly bytesMoved: number;
  /** Pages per move_pages step (the pace's bound: at most this many, or one huge page). */
  readonly batchPages: number;
  readonly steps: number;
  readonly longestStepMs: number;
  /** Bytes of the largest step. */
  readonly largestStepBytes: number;
  readonly sleptMs: number;
  readonly durationMs: number;
  readonly warnings: readonly string[];
  /** What undoJobMove needs (absent in a dry run). */
  readonly before?: JobMoveBefore;
}

export interface MemberBefore {
  readonly pid: number;
  /** Start time (stat field 22): undo refuses a pid that now names another process. */
  readonly start?: number;
  readonly affinity: readonly ThreadAffinity[];
  /** Absent when the move failed before reaching this member's policies. */
  readonly policies?: ProcessPolicies;
  /** The node of every page that was on a source node. */
  readonly placement: PagePlacement;
}

export interface JobMoveBefore {
  readonly from: readonly number[];
  readonly to: readonly number[];
  readonly map: readonly { from: number; to: number }[];
  /** A cgroup job: its cpuset files as they were written. */
  readonly cgroup?: { path: string; cpus: string; mems: string };
  readonly members: readonly MemberBefore[];
}
