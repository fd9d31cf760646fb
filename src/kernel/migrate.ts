/**
 * Page migration syscalls: unlike the mempolicy calls, these reach another process by pid
 * (0 = the caller), subject to ptrace-style access checks.
 */
import { bitsOf } from './bitmask.js';
import { encodeNodemask, maxNodeBits, maxnodeArg } from './nodemask.js';
import { fixedSyscall, syscallAbout } from './syscall.js';

function about(pid: number): string | undefined {
  return pid === 0 ? undefined : `pid ${pid}`;
}

/**
 * migrate_pages: moves the pages of process `pid` on nodes `from` to nodes `to`, keeping their
 * relative placement. Returns the number of pages that could NOT be moved.
 */
export function migratePages(pid: number, from: readonly number[], to: readonly number[]): number {
  // Both masks share one maxnode, so size them alike.
  const bits = Math.max(bitsOf(encodeNodemask(from)), bitsOf(encodeNodemask(to)), maxNodeBits());
  const oldMask = encodeNodemask(from, bits);
  const newMask = encodeNodemask(to, bits);
  return Number(syscallAbout(about(pid), 'migrate_pages', pid, maxnodeArg(oldMask), oldMask, newMask));
}

/** What move_pages did: the per-page status and how many pages it could not move. */
export interface MovePagesResult {
  /** Per page: the node it is on (or was moved to), or -errno (-ENOENT not present, -EFAULT...). */
  status: Int32Array;
  /**
   * Pages the kernel could not migrate (move_pages' positive return). Their status may still
   * name the destination node, so this count is the only reliable signal.
   */
  notMoved: number;
}

/**
 * move_pages with its full result. `pages` holds page addresses in process `pid`; `nodes` the
 * destination of each (same length), or null to only query where each page is. `into`, when
 * given, receives the statuses (at least pages.length long; the result's status is a view of
 * it), so a caller moving step after step allocates none.
 */
export function movePagesCounted(
  pid: number,
  pages: BigUint64Array,
  nodes: Int32Array | null,
  flags: number,
  into?: Int32Array,
): MovePagesResult {
  if (nodes !== null && nodes.length !== pages.length) {
    throw new RangeError(`move_pages: ${pages.length} pages but ${nodes.length} nodes`);
  }
  if (into !== undefined && into.length < pages.length) {
    throw new RangeError(`move_pages: ${pages.length} pages but room for ${into.length} statuses`);
  }
  const status = into === undefined ? new Int32Array(pages.length) : into.subarray(0, pages.length);
  // Whatever an earlier call left there must not read as this call's answer.
  if (into !== undefined) status.fill(0);
  if (pages.length === 0) return { status, notMoved: 0 };
  return { status, notMoved: movePagesCall(about(pid), pid, pages.length, pages, nodes, status, flags) };
}

/** move_pages with its own prototype: called once per step of a page move, thousands of times. */
const movePagesCall = fixedSyscall<[number, number, BigUint64Array, Int32Array | null, Int32Array, number]>(
  'move_pages',
  'long pid, unsigned long count, void *pages, void *nodes, void *status, long flags',
);

/**
 * move_pages: moves each page of `pages` (addresses in process `pid`) to the node at the same
 * index of `nodes`, or with `nodes` null queries placement. Returns the per-page status: node, or
 * -errno. Use movePagesCounted to also learn how many pages failed to move.
 */
export function movePages(pid: number, pages: BigUint64Array, nodes: Int32Array | null, flags: number): Int32Array {
  return movePagesCounted(pid, pages, nodes, flags).status;
}

/** The node of each page (or -errno: -ENOENT not present, -EFAULT unmapped or zero page). */
export function queryPageNodes(pid: number, pages: BigUint64Array): Int32Array {
  return movePagesCounted(pid, pages, null, 0).status;
}

