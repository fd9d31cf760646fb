import { BITS_PER_WORD, bitsOf, decodeBitmask, encodeBitmask, wordsFor } from './bitmask.js';
import { readListBits } from './range-list.js';

const NODE_POSSIBLE = '/sys/devices/system/node/possible';
/** CONFIG_NODES_SHIFT=10 on distribution kernels: the largest nodemask we expect. */
const FALLBACK_NODE_BITS = 1024;

let cachedBits: number | undefined;

/**
 * Bits in a nodemask for this kernel: the possible node ids (nr_node_ids) rounded up to whole
 * unsigned longs. get_mempolicy refuses a mask smaller than nr_node_ids, so this is also the
 * least that works; 1024 when sysfs cannot be read. Read once and cached.
 */
export function maxNodeBits(): number {
  if (cachedBits === undefined) {
    const possible = readListBits(NODE_POSSIBLE) ?? FALLBACK_NODE_BITS;
    cachedBits = wordsFor(possible) * BITS_PER_WORD;
  }
  return cachedBits;
}

/**
 * Encodes node ids as the kernel's nodemask (unsigned longs), sized for this kernel and grown to
 * hold the largest id given (so an impossible node reaches the kernel and fails with its errno).
 */
export function encodeNodemask(nodes: readonly number[], bits: number = maxNodeBits()): BigUint64Array {
  return encodeBitmask(nodes, bits);
}

/** The node ids set in a nodemask, ascending. */
export function decodeNodemask(mask: BigUint64Array): number[] {
  return decodeBitmask(mask);
}

/**
 * The `maxnode` argument for a nodemask: the kernel decrements it before use (a historical
 * off-by-one kept for ABI), so pass the number of bits plus one.
 */
export function maxnodeArg(mask: BigUint64Array): number {
  return bitsOf(mask) + 1;
}
