/**
 * `numactl --show`: the calling process's policy and CPU binding in numactl 2.0.16's layout,
 * read back from the kernel (get_mempolicy, sched_getaffinity) after the options before it
 * were applied, so scripts that parse it (checkaffinity's `awk '/nodebind/'`) read the same.
 */
import { MPOL_BIND, MPOL_DEFAULT, MPOL_F_NODE, MPOL_INTERLEAVE, MPOL_PREFERRED, MPOL_PREFERRED_MANY, getMempolicy, schedGetaffinity, SyscallError } from '../../kernel/index.js';
import type { LibnumaView } from '../../topology/libnuma-view.js';
import { readNodeCpus } from '../../topology/node-cpus.js';

const POLICY_NAMES = ['default', 'preferred', 'bind', 'interleave', 'local', 'preferred-many'];

/** numactl's policy_name: its six names, else the number in brackets (flags included). */
export function policyName(mode: number): string {
  return POLICY_NAMES[mode] ?? `[${mode}]`;
}

/** numactl's printmask: "name: 0 1 \n" (a blank after every member). */
export function printMask(name: string, members: readonly number[]): string {
  return `${name}: ${members.map((m) => `${m} `).join('')}\n`;
}

/** The next node interleaving will use (get_mempolicy MPOL_F_NODE); 0 when not interleaving, as libnuma. */
function interleaveNext(): number {
  try {
    return getMempolicy({ flags: MPOL_F_NODE }).mode;
  } catch (e) {
    if (e instanceof SyscallError) return 0;
    throw e;
  }
}

/** Nodes (allowed by the cpuset) with a CPU this thread may run on: numa_get_run_node_mask. */
function runNodes(view: LibnumaView, cpus: readonly number[]): number[] {
  const mine = new Set(cpus);
  return view.allowedNodes.filter((n) => n <= view.maxNode && safeCpus(n).some((c) => mine.has(c)));
}

function safeCpus(node: number): number[] {
  try {
    return readNodeCpus(node);
  } catch {
    return [];
  }
}

export interface ShowText {
  readonly stdout: string;
  /** libnuma's complaint when a bind or preferred-many policy has more than one node. */
  readonly stderr: string;
}

export function showText(view: LibnumaView): ShowText {
  const pol = getMempolicy();
  const policy = pol.mode;
  const nodes = pol.nodes;
  const cur = interleaveNext();
  const cpus = schedGetaffinity(0);
  const cpubind = runNodes(view, cpus);
  // numa_preferred_many() returns the policy's mask whatever the mode, and complains (perror of
  // its source file name, errno untouched: "Success") when bind/preferred_many has several nodes.
  const preferred = nodes;
  const complains = (policy === MPOL_PREFERRED || policy === MPOL_PREFERRED_MANY || policy === MPOL_BIND) && nodes.length > 1;
  const interleave = policy === MPOL_INTERLEAVE ? nodes : [];
  const membind = policy === MPOL_BIND ? nodes : view.allowedNodes;
  let out = `policy: ${policyName(policy)}\npreferred node: `;
  switch (policy) {
    case MPOL_PREFERRED:
      out += `${preferred[0] ?? 0}\n`;
      break;
    case MPOL_DEFAULT:
      out += 'current\n';
      break;
    case MPOL_INTERLEAVE:
      out += `${cur} (interleave next)\n`;
      break;
    case MPOL_BIND:
      out += `${membind[0] ?? -1}\n`;
      break;
    case MPOL_PREFERRED_MANY:
      out += `${cur} (preferred-many)\n`;
      break;
    // numactl prints nothing for local and flagged modes, not even the line's end.
  }
  if (policy === MPOL_INTERLEAVE) out += `${printMask('interleavemask', interleave)}interleavenode: ${cur}\n`;
  out += printMask('physcpubind', cpus);
  out += printMask('cpubind', cpubind);
  out += printMask('nodebind', cpubind);
  out += printMask('membind', membind);
  out += printMask('preferred', preferred);
  return { stdout: out, stderr: complains ? 'libnuma.c: Success\n' : '' };
}
