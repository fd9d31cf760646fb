/**
 * The kernel's automatic NUMA balancing next to the daemon's placement: whether it is on, and
 * whether it touches a given process (docs/placement.md, "NUMA balancing").
 *
 * The kernel's scanner (task_numa_work) only marks pages of VMAs whose policy carries MPOL_F_MOF:
 * the default policy does; a policy a program or numapol sets explicitly (bind, preferred,
 * interleave, even local) does not, unless it was set with MPOL_F_NUMA_BALANCING (bind since 5.12,
 * preferred_many since 6.10), which lets the kernel move pages within the policy's nodes only.
 */
import { numaBalancing, type NumaBalancing } from '../../ops/index.js';
import type { OpsOptions } from '../../ops/index.js';
import type { ProcessPolicy } from './model.js';

export interface BalancingReport extends NumaBalancing {
  /** One line for `plan` and the logs. */
  readonly summary: string;
}

/** How the kernel's balancing treats one process. */
export type KernelBalancing =
  /** Balancing is off or absent. */
  | 'off'
  /** Default policy: the kernel moves its pages toward the CPUs that touch them, and its threads toward its memory. */
  | 'balanced'
  /** Policy with MPOL_F_NUMA_BALANCING: pages move, but only among the policy's nodes. */
  | 'within-policy'
  /** An explicit policy without the flag: the kernel's scanner skips its memory. */
  | 'skipped';

export function readBalancing(opts: OpsOptions = {}): BalancingReport {
  return balancingReport(numaBalancing(opts));
}

export function balancingReport(b: NumaBalancing): BalancingReport {
  const summary =
    b.mode === 'unsupported'
      ? 'kernel NUMA balancing: not built into this kernel'
      : b.mode === 'off'
        ? 'kernel NUMA balancing: off (0)'
        : `kernel NUMA balancing: ${b.mode} (${b.value})${b.normal ? ': the kernel also moves pages of default-policy processes toward the CPUs that touch them' : ': hot pages are promoted from slow memory-only nodes'}`;
  return { ...b, summary };
}

export function kernelBalancesProcess(policy: ProcessPolicy, b: NumaBalancing): KernelBalancing {
  if (!b.normal && !b.tiering) return 'off';
  if (policy.balancing) return 'within-policy';
  return policy.mode === 'default' ? 'balanced' : 'skipped';
}
