/**
 * The daemon's configuration as the loader hands it over: every value checked, units in base
 * units (milliseconds, bytes, bytes per second), YAML's kebab-case keys in camelCase.
 *
 * Policies, node lists and CPU lists keep the text as written beside what it meant on this
 * machine when the file was loaded. `all` and `+N` mean the target's cpuset nodes: the daemon
 * resolves such text again for each process (`perTarget`); at load `all` is every node with memory.
 */
import type { Mempolicy, NodeSet } from '../../policy/model.js';

export type Mode = 'enforce' | 'advise';
export const MODES = ['enforce', 'advise'] as const satisfies readonly Mode[];

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug'] as const satisfies readonly LogLevel[];

export interface PolicySpec {
  /** As written in the file. */
  readonly text: string;
  /** Parsed and checked against this machine (`all` = every node with memory). */
  readonly policy: Mempolicy;
  /** The text uses `all` or `+N`: resolve it again against each target's cpuset. */
  readonly perTarget: boolean;
}

export interface NodeListSpec {
  readonly text: string;
  readonly nodes: NodeSet;
  readonly perTarget: boolean;
}

export interface CpuListSpec {
  readonly text: string;
  readonly cpus: readonly number[];
}

/** `cpus:` of a rule: the CPUs of some nodes, or a list of CPUs. */
export type CpuBinding = { readonly nodes: NodeListSpec; readonly cpus?: undefined } | { readonly cpus: CpuListSpec; readonly nodes?: undefined };

export interface HttpListen {
  readonly host: string;
  readonly port: number;
}

export interface HttpConfig {
  /** `HOST:PORT` as parsed; IPv6 hosts without their brackets. */
  readonly listen: HttpListen;
  /** File holding the bearer token API clients must present. */
  readonly tokenFile: string;
}

export interface AutoConfig {
  /** Milliseconds between automatic placement passes. */
  readonly interval: number;
  /** Milliseconds a process is left alone after the daemon moved it. */
  readonly cooldown: number;
  /** Processes moved per pass at most. */
  readonly maxMoves: number;
  /** Smallest score gain (0..1) worth a move. */
  readonly threshold: number;
}

export interface MetricsConfig {
  /** Processes with their own per-node series in the metrics (the largest by RSS). */
  readonly topProcesses: number;
}

/** A process's user: by name (looked up in /etc/passwd at load) or by uid. */
export interface UserSelector {
  readonly text: string;
  /** null: no such user on this machine, the selector matches nothing. */
  readonly uid: number | null;
}

/** What a process must be for a rule to apply: every given selector must hold. */
export interface RuleMatch {
  /** Glob on the command name (/proc/PID/comm, at most 15 characters). */
  readonly comm?: string;
  /** Glob on the executable's path. */
  readonly exe?: string;
  /** Regular expression tested on the command line, its arguments joined by single spaces. */
  readonly cmdline?: RegExp;
  readonly user?: UserSelector;
  /** Glob on the cgroup v2 path (`/system.slice/x.service`). */
  readonly cgroup?: string;
  /** Resident set size in bytes, at least. */
  readonly minRss?: number;
  readonly minThreads?: number;
  /** One of these pids. */
  readonly pid?: readonly number[];
}

export type VmaArea = 'heap' | 'stack' | 'anon' | 'shm' | 'file';

/** A policy for some of a process's memory areas. */
export interface VmaAction {
  /** The key as written: `heap`, `stack`, `anon`, `shm` or `file:GLOB`. */
  readonly key: string;
  readonly area: VmaArea;
  /** For `file:GLOB`: the glob on the mapped file's path. */
  readonly glob?: string;
  readonly policy: PolicySpec;
  /** Also move the pages already there (mbind MPOL_MF_MOVE). */
  readonly move: boolean;
}

export interface MigrateAction {
  readonly from: NodeListSpec;
  readonly to: NodeListSpec;
  /** Bytes per second at most for this rule's moves; null: the global budget only. */
  readonly rate: number | null;
}

/** Why a rule loaded but will not act on this machine. */
export interface InactiveRule {
  /** Nodes the rule names that this machine lacks. */
  readonly missingNodes: NodeSet;
  readonly reason: string;
}

interface RuleCommon {
  readonly name: string;
  /** Overrides the daemon's mode for this rule. */
  readonly mode?: Mode;
  /** Set on a machine with one node when the rule names others: the rule never acts there. */
  readonly inactive?: InactiveRule;
}

/** A rule that selects processes and says what to do with them. */
export interface MatchRule extends RuleCommon {
  readonly kind: 'match';
  readonly match: RuleMatch;
  /** Matching processes are left alone (and later rules do not see them). */
  readonly exclude: boolean;
  /** Process-wide policy: every thread's set_mempolicy. */
  readonly policy?: PolicySpec;
  /** Per-area policies, in the order written. */
  readonly vmas: readonly VmaAction[];
  readonly cpus?: CpuBinding;
  readonly migrate?: MigrateAction;
  /** The job the processes belong to. */
  readonly job?: string;
  /** Left to automatic placement. */
  readonly place?: 'auto';
}

/** System V segment by key or id, or a tmpfs/hugetlbfs file. */
export type ShmObject =
  | { readonly file: string; readonly key?: undefined; readonly id?: undefined }
  | { readonly key: number; readonly file?: undefined; readonly id?: undefined }
  | { readonly id: number; readonly file?: undefined; readonly key?: undefined };

/** A persistent policy on a shared memory object (seed 004). */
export interface ShmRule extends RuleCommon {
  readonly kind: 'shm';
  readonly shm: ShmObject;
  readonly policy: PolicySpec;
}

export type Rule = MatchRule | ShmRule;

export interface DaemonConfig {
  readonly mode: Mode;
  /** Milliseconds between full /proc rescans. */
  readonly rescan: number;
  readonly journal: string;
  /** Bytes per second for all page moves made by rules; null: unlimited. */
  readonly migrateRate: number | null;
  /** Process stops (ptrace seizes) per second at most. */
  readonly stopRate: number;
  /** Put back what the daemon changed when it exits. */
  readonly restoreOnExit: boolean;
  readonly socket: string;
  /** null: no TCP listener. */
  readonly http: HttpConfig | null;
  readonly logLevel: LogLevel;
  readonly auto: AutoConfig;
  readonly metrics: MetricsConfig;
  readonly rules: readonly Rule[];
}
