/**
 * Typed wrappers for the mempolicy syscalls. All of them act on the CALLING THREAD only (in
 * Node: the main JS thread, or the worker that calls them): no mainline syscall changes another
 * process's policy, which is why numapol injects these calls into the target's own threads.
 * Numbers are raw (mempolicy-constants.ts); the policy model lives in src/policy/.
 */
import { MPOL_F_ADDR, MPOL_F_MEMS_ALLOWED, MPOL_F_NODE } from './mempolicy-constants.js';
import { decodeNodemask, encodeNodemask, maxNodeBits, maxnodeArg } from './nodemask.js';
import { syscall } from './syscall.js';

/** A policy as get_mempolicy reports it: raw mode with its flags or'ed in, and its nodes. */
export interface RawMempolicy {
  /** Mode | mode flags, exactly as the kernel returns it. */
  mode: number;
  /** Node ids of the policy's nodemask, ascending (empty for default and local). */
  nodes: number[];
}

export interface GetMempolicyOptions {
  /** Report the policy of the VMA holding this address (MPOL_F_ADDR is added for it). */
  addr?: bigint;
  /** get_mempolicy flags (MPOL_F_NODE, MPOL_F_ADDR, MPOL_F_MEMS_ALLOWED). */
  flags?: number;
}

/**
 * get_mempolicy: the calling thread's policy, or with `addr` the policy governing that address
 * (the VMA's, else the thread's).
 */
export function getMempolicy(opts: GetMempolicyOptions = {}): RawMempolicy {
  let flags = opts.flags ?? 0;
  if (opts.addr !== undefined) flags |= MPOL_F_ADDR;
  const mode = new Int32Array(1);
  const mask = encodeNodemask([], maxNodeBits());
  syscall('get_mempolicy', mode, mask, maxnodeArg(mask), opts.addr ?? 0n, flags);
  return { mode: mode[0] ?? 0, nodes: decodeNodemask(mask) };
}

/**
 * The node holding the page at `addr` (MPOL_F_NODE | MPOL_F_ADDR). An untouched page is
 * faulted in by the kernel first, under the policy that governs it.
 */
export function getMempolicyNode(addr: bigint): number {
  const node = new Int32Array(1);
  syscall('get_mempolicy', node, null, 0, addr, MPOL_F_NODE | MPOL_F_ADDR);
  return node[0] ?? -1;
}

/** The nodes the calling thread may allocate on (its cpuset's mems: MPOL_F_MEMS_ALLOWED). */
export function getMemsAllowed(): number[] {
  return getMempolicy({ flags: MPOL_F_MEMS_ALLOWED }).nodes;
}

/** Converts a node list to (mask, maxnode), with NULL for an empty list as default/local expect. */
function nodemaskArgs(nodes: readonly number[]): [BigUint64Array | null, number] {
  if (nodes.length === 0) return [null, 0];
  const mask = encodeNodemask(nodes);
  return [mask, maxnodeArg(mask)];
}

/** set_mempolicy: sets the calling thread's policy (mode | mode flags) over `nodes`. */
export function setMempolicy(modeWithFlags: number, nodes: readonly number[]): void {
  syscall('set_mempolicy', modeWithFlags, ...nodemaskArgs(nodes));
}

/**
 * mbind: sets the policy of the calling process's range [addr, addr+len) (page-aligned addr);
 * `flags` MPOL_MF_STRICT / MPOL_MF_MOVE / MPOL_MF_MOVE_ALL also check or move existing pages.
 */
export function mbind(
  addr: bigint,
  len: bigint,
  modeWithFlags: number,
  nodes: readonly number[],
  flags = 0,
): void {
  syscall('mbind', addr, len, modeWithFlags, ...nodemaskArgs(nodes), flags);
}

/**
 * set_mempolicy_home_node (Linux 5.17): the node to allocate from first within the bind or
 * preferred_many policies of the VMAs in [start, start+len).
 */
export function setMempolicyHomeNode(start: bigint, len: bigint, home: number): void {
  syscall('set_mempolicy_home_node', start, len, home, 0);
}
