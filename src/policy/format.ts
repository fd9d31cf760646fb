/**
 * Text forms of a mempolicy. Both styles parse back to the same policy with parsePolicy.
 *
 * - kernel (default): byte for byte what mpol_to_str prints in /proc/PID/numa_maps and tmpfs
 *   `mpol=`: MODE[=FLAGS][:NODES], e.g. `prefer:1`, `bind=static|balancing:0-3`,
 *   `prefer (many):0,2`, `weighted interleave:0-3`, `local`, `default`. FLAGS is `static` or
 *   `relative`, then `balancing` (after a `|` if one of the first two is there). The kernel has no
 *   text for a home node, so this style leaves it out.
 * - seed: the 2005 seeds' write syntax, MODE[=NODES], e.g. `prefer=1`, `bind=0,2-5`,
 *   `interleave=2,3` (two adjacent nodes are listed, longer runs are ranges). With flags it is
 *   MODE=FLAGS:NODES as in the kernel form, since `=` alone introduces nodes there. Newer modes
 *   use numactl's option names (`preferred-many`, `weighted-interleave`). A home node is written
 *   ` home=N`.
 */
import type { Mempolicy, MempolicyMode } from './model.js';
import { formatNodeList } from './nodelist.js';

export type PolicyStyle = 'kernel' | 'seed';

export interface FormatPolicyOptions {
  /** `kernel` (default): numa_maps / mpol_to_str; `seed`: `bind=0,2-5`. */
  readonly style?: PolicyStyle;
}

/** policy_modes[] in mm/mempolicy.c. */
const KERNEL_MODE_NAMES: Readonly<Record<MempolicyMode, string>> = {
  default: 'default',
  local: 'local',
  preferred: 'prefer',
  bind: 'bind',
  interleave: 'interleave',
  preferred_many: 'prefer (many)',
  weighted_interleave: 'weighted interleave',
};

const SEED_MODE_NAMES: Readonly<Record<MempolicyMode, string>> = {
  ...KERNEL_MODE_NAMES,
  preferred_many: 'preferred-many',
  weighted_interleave: 'weighted-interleave',
};

/** The flag word as mpol_to_str prints it after `=`, or '' when there are no mode flags. */
export function formatFlags(p: Pick<Mempolicy, 'flags'>): string {
  const words: string[] = [];
  if (p.flags.remap) words.push(p.flags.remap);
  if (p.flags.balancing) words.push('balancing');
  return words.join('|');
}

/** Format a policy in the kernel's numa_maps form (default) or the seeds' form. */
export function formatPolicy(p: Mempolicy, options: FormatPolicyOptions = {}): string {
  const flags = formatFlags(p);
  if ((options.style ?? 'kernel') === 'kernel') {
    // mpol_to_str copies nodes only for the modes that have them; default and local print none.
    const hasNodes = p.mode !== 'default' && p.mode !== 'local' && p.nodes.length > 0;
    return `${KERNEL_MODE_NAMES[p.mode]}${flags ? `=${flags}` : ''}${hasNodes ? `:${formatNodeList(p.nodes)}` : ''}`;
  }
  const nodes = formatNodeList(p.nodes, { pairs: 'list' });
  let text = SEED_MODE_NAMES[p.mode];
  if (flags) text += `=${flags}${nodes ? `:${nodes}` : ''}`;
  else if (nodes) text += `=${nodes}`;
  if (p.homeNode !== undefined) text += ` home=${p.homeNode}`;
  return text;
}
