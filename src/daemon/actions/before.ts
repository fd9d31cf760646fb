/** The state an action changed, as journaled: what `undo` puts back. Plain JSON. */
import type { JobMoveBefore, PagePlacement, PolicyRun, ThreadAffinity } from '../../ops/index.js';

export type { JobMoveBefore };

export interface PolicyBefore {
  readonly threads: readonly { tid: number; policy: string }[];
}

export interface VmaPolicyBefore {
  readonly ranges: readonly { start: string; end: string; policy: string }[];
  /** Where the pages were, when the action moved them. */
  readonly placement?: PagePlacement;
}

export interface CpusBefore {
  readonly threads: readonly ThreadAffinity[];
}

export interface MigrateBefore {
  readonly placement: PagePlacement;
}

export interface PlaceBefore {
  readonly threads: readonly ThreadAffinity[];
  /** The pages that were to move (those on nodes outside the new set). */
  readonly placement: PagePlacement;
}

export interface ShmBefore {
  readonly policy: readonly PolicyRun[];
  readonly pagesPerNode: Readonly<Record<number, number>>;
}

export type Before = PolicyBefore | VmaPolicyBefore | CpusBefore | MigrateBefore | PlaceBefore | ShmBefore | JobMoveBefore;
