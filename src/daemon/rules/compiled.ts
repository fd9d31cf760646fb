/** The configuration as the daemon runs it: rules compiled to predicates and actions. */
import type { Action } from '../actions/action.js';
import type { Matchable } from './choose.js';

export type Mode = 'enforce' | 'advise';

export interface CompiledRule extends Matchable {
  readonly mode: Mode;
  /** In the order they run: cpus, policy, vma policies, migrate. */
  readonly actions: readonly Action[];
  /** Per action: a stable key of what it asks, so a changed rule acts again and an unchanged one does not. */
  readonly specs: readonly string[];
  readonly job?: string;
  readonly place?: 'auto';
  /** The rule as the file gives it (for `numapol rules`, the API and the dashboard). */
  readonly source: unknown;
}

/** A rule on a shared memory object rather than on processes (seed 004). */
export interface ShmRule {
  readonly name: string;
  readonly mode: Mode;
  readonly action: Extract<Action, { kind: 'shm-policy' }>;
  readonly spec: string;
  readonly source: unknown;
}

/** The global settings the core acts by (the config's top level, in the units the code uses). */
export interface DaemonSettings {
  readonly mode: Mode;
  readonly rescanMs: number;
  /** Global page-move budget, bytes/s; undefined: unlimited. */
  readonly migrateRate?: number;
  /** Process stops per second at most. */
  readonly stopRate: number;
  readonly restoreOnExit: boolean;
  /** Automatic placement (`auto:`), for `place: auto` rules. */
  readonly auto: { readonly intervalMs: number; readonly cooldownMs: number; readonly maxMoves: number; readonly threshold: number };
}

export interface CompiledConfig {
  readonly settings: DaemonSettings;
  readonly rules: readonly CompiledRule[];
  readonly shmRules: readonly ShmRule[];
  /** Rules that name nodes this (one-node) machine lacks: loaded, never acting here. */
  readonly inactive: readonly { readonly name: string; readonly reason: string }[];
}
