/**
 * The kernel's numbers for mempolicy modes and flags (include/uapi/linux/mempolicy.h), and the
 * conversions between them and the model. set_mempolicy/mbind take the mode with flag bits or'ed
 * in, and get_mempolicy returns it the same way.
 */
import { NumapolError } from '../errors.js';
import { mempolicy, nodeSet, type Mempolicy, type MempolicyFlags, type MempolicyMode, type NodeSet } from './model.js';

import {
  MPOL_BIND,
  MPOL_DEFAULT,
  MPOL_F_NUMA_BALANCING,
  MPOL_F_RELATIVE_NODES,
  MPOL_F_STATIC_NODES,
  MPOL_INTERLEAVE,
  MPOL_LOCAL,
  MPOL_MODE_FLAGS,
  MPOL_PREFERRED,
  MPOL_PREFERRED_MANY,
  MPOL_WEIGHTED_INTERLEAVE,
} from '../kernel/mempolicy-constants.js';

// The numbers are the kernel layer's; the policy layer re-exports them beside the conversions.
export * from '../kernel/mempolicy-constants.js';

const MODE_NUMBERS: Readonly<Record<MempolicyMode, number>> = {
  default: MPOL_DEFAULT,
  preferred: MPOL_PREFERRED,
  bind: MPOL_BIND,
  interleave: MPOL_INTERLEAVE,
  local: MPOL_LOCAL,
  preferred_many: MPOL_PREFERRED_MANY,
  weighted_interleave: MPOL_WEIGHTED_INTERLEAVE,
};

const MODES_BY_NUMBER: readonly MempolicyMode[] = (Object.keys(MODE_NUMBERS) as MempolicyMode[]).sort(
  (a, b) => MODE_NUMBERS[a] - MODE_NUMBERS[b],
);

/** The kernel's number for a mode (MPOL_*), without flags. */
export function modeNumber(mode: MempolicyMode): number {
  return MODE_NUMBERS[mode];
}

/** What to pass set_mempolicy / mbind: the mode with its flag bits, and the nodes. */
export function toKernelMode(p: Mempolicy): { mode: number; nodes: NodeSet } {
  let mode = MODE_NUMBERS[p.mode];
  if (p.flags.remap === 'static') mode |= MPOL_F_STATIC_NODES;
  if (p.flags.remap === 'relative') mode |= MPOL_F_RELATIVE_NODES;
  if (p.flags.balancing) mode |= MPOL_F_NUMA_BALANCING;
  return { mode, nodes: p.nodes };
}

/**
 * The policy get_mempolicy describes: mode number with flag bits, and the nodemask's nodes.
 * MPOL_PREFERRED with no node is local allocation (how kernels before 3.8 reported it);
 * default and local carry no nodes. Throws NumapolError EMODE for numbers this numapol does not
 * know (a newer kernel's mode or flag).
 */
export function fromKernelMode(modeWithFlags: number, nodes: Iterable<number> = []): Mempolicy {
  const bits = modeWithFlags & MPOL_MODE_FLAGS;
  const number = modeWithFlags & ~MPOL_MODE_FLAGS;
  let mode = MODES_BY_NUMBER[number];
  if (!Number.isInteger(modeWithFlags) || modeWithFlags < 0 || mode === undefined) {
    throw new NumapolError(
      'EMODE',
      `unknown mempolicy mode ${modeWithFlags} (0x${modeWithFlags.toString(16)}): numapol knows modes 0-${MODES_BY_NUMBER.length - 1} and flags 0x${MPOL_MODE_FLAGS.toString(16)}`,
      { details: { mode: modeWithFlags } },
    );
  }
  if ((bits & MPOL_F_STATIC_NODES) && (bits & MPOL_F_RELATIVE_NODES)) {
    throw new NumapolError('EMODE', `mempolicy mode 0x${modeWithFlags.toString(16)} has both static and relative flags`, {
      details: { mode: modeWithFlags },
    });
  }
  let set = nodeSet(nodes);
  if (mode === 'preferred' && set.length === 0) mode = 'local';
  if (mode === 'default' || mode === 'local') set = [];
  // The kernel keeps one preferred node (first_node); anything else would break the model's rule.
  if (mode === 'preferred') set = set.slice(0, 1);
  const flags: MempolicyFlags = {
    ...(bits & MPOL_F_STATIC_NODES ? { remap: 'static' as const } : {}),
    ...(bits & MPOL_F_RELATIVE_NODES ? { remap: 'relative' as const } : {}),
    ...(bits & MPOL_F_NUMA_BALANCING ? { balancing: true } : {}),
  };
  return mempolicy(mode, set, flags);
}
