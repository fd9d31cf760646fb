/**
 * What numactl's policy and binding options do to numactl's own process, with the calls
 * libnuma 2.0.16 makes and its way of failing: libnuma's numa_error line ("set_mempolicy:
 * Invalid argument"), then numactl's own ("setting membind: Invalid argument"), exit 1.
 */
import {
  MPOL_BIND,
  MPOL_DEFAULT,
  MPOL_F_NUMA_BALANCING,
  MPOL_INTERLEAVE,
  MPOL_LOCAL,
  MPOL_MF_STRICT,
  MPOL_PREFERRED,
  MPOL_PREFERRED_MANY,
  SyscallError,
  mbind,
  schedSetaffinity,
  setMempolicy,
} from '../../kernel/index.js';
import type { LibnumaView } from '../../topology/libnuma-view.js';
import { readNodeCpus } from '../../topology/node-cpus.js';
import type { Reporter } from './failure.js';
import type { ShmArea } from './shm.js';

function errnoOf(e: unknown): number {
  if (e instanceof SyscallError) return e.errno;
  throw e;
}

/** set_mempolicy as libnuma's setpol calls it; `what` is numactl's checkerror text. */
function setpol(mode: number, nodes: readonly number[], what: string, r: Reporter): void {
  try {
    setMempolicy(mode, nodes);
  } catch (e) {
    r.fail({ kind: 'perror', libnuma: 'set_mempolicy', what, errno: errnoOf(e), error: e });
  }
}

/** numa_set_interleave_mask: an empty mask means the default policy. */
export function selfInterleave(nodes: readonly number[], r: Reporter): void {
  setpol(nodes.length === 0 ? MPOL_DEFAULT : MPOL_INTERLEAVE, nodes, 'setting interleave mask', r);
}

/** numa_set_membind, or numa_set_membind_balancing (plain bind when the kernel refuses the flag). */
export function selfMembind(nodes: readonly number[], balancing: boolean, r: Reporter): void {
  if (balancing) {
    try {
      setMempolicy(MPOL_BIND | MPOL_F_NUMA_BALANCING, nodes);
      return;
    } catch (e) {
      if (!(e instanceof SyscallError && e.errnoName === 'EINVAL')) r.fail({ kind: 'perror', libnuma: 'set_mempolicy', what: 'setting membind', errno: errnoOf(e), error: e });
    }
  }
  setpol(MPOL_BIND, nodes, 'setting membind', r);
}

/** numa_set_preferred(node). */
export function selfPreferred(node: number, r: Reporter): void {
  setpol(MPOL_PREFERRED, [node], 'setting preferred node', r);
}

/** numa_set_preferred_many(nodes). */
export function selfPreferredMany(nodes: readonly number[], r: Reporter): void {
  setpol(MPOL_PREFERRED_MANY, nodes, 'setting preferred node', r);
}

/** numa_set_localalloc. */
export function selfLocal(r: Reporter): void {
  setpol(MPOL_LOCAL, [], 'local allocation', r);
}

/** numa_run_on_node_mask_all: every CPU of the nodes, without cpuset awareness. */
export function selfRunOnNodes(nodes: readonly number[], view: LibnumaView, r: Reporter): void {
  const cpus = new Set<number>();
  for (const n of nodes) {
    if (!view.possibleNodes.includes(n)) {
      r.warn('noderunmask', `node ${n} not allowed`);
      continue;
    }
    try {
      for (const c of readNodeCpus(n)) cpus.add(c);
    } catch {
      r.warn('noderunmask', 'Cannot read node cpumask from sysfs');
    }
  }
  try {
    schedSetaffinity(0, [...cpus]);
  } catch (e) {
    r.fail({ kind: 'perror', libnuma: 'numa_sched_setaffinity_v2_int() failed', what: 'sched_setaffinity', errno: errnoOf(e), error: e });
  }
}

/** numa_sched_setaffinity(0, cpus). */
export function selfRunOnCpus(cpus: readonly number[], r: Reporter): void {
  try {
    schedSetaffinity(0, cpus);
  } catch (e) {
    r.fail({ kind: 'perror', what: 'sched_setaffinity', errno: errnoOf(e), error: e });
  }
}

/** libnuma's dombind on the shared area: mbind with --strict's MPOL_MF_STRICT when given. */
export function bindArea(a: ShmArea, mode: number, nodes: readonly number[], strict: boolean, what: string, r: Reporter): void {
  try {
    mbind(a.ptr, a.length, mode, nodes, strict ? MPOL_MF_STRICT : 0);
  } catch (e) {
    r.fail({ kind: 'perror', libnuma: 'mbind', what, errno: errnoOf(e), error: e });
  }
}
