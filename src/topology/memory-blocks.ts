/**
 * Which node a physical page frame belongs to, from sysfs: memory is hot-pluggable in blocks of
 * /sys/devices/system/memory/block_size_bytes, and each node directory links the blocks it holds
 * (/sys/devices/system/node/nodeN/memoryM). With /proc/PID/pagemap's frame numbers this gives the
 * placement of a whole range in one sequential read, instead of a move_pages query per page.
 */
import { join } from 'node:path';
import { NumapolError } from '../errors.js';
import { listDir, nodeSysDir, readOptional, type RootOptions } from './sysfs.js';

export interface MemoryBlocks {
  /** Bytes per memory block (a power of two: 128 MiB on small x86_64 machines, up to 2 GiB). */
  readonly blockBytes: number;
  /** Block index → its node, for blocks linked under exactly one node. */
  readonly nodeOfBlock: ReadonlyMap<number, number>;
  /**
   * Blocks linked under several nodes: a node boundary falls inside them (early memory whose
   * nodes are not block aligned), so a frame there cannot be placed from the block alone.
   */
  readonly ambiguous: ReadonlySet<number>;
}

/**
 * Reads the memory block layout under `root`, or undefined when this kernel has no memory block
 * devices (CONFIG_MEMORY_HOTPLUG off, or not NUMA): callers then ask the kernel page by page.
 */
export function readMemoryBlocks(opts: RootOptions = {}): MemoryBlocks | undefined {
  const root = opts.root ?? '/';
  const sizePath = join(root, 'sys/devices/system/memory/block_size_bytes');
  const sizeText = readOptional(sizePath);
  if (sizeText === undefined) return undefined;
  // The kernel prints it in hex without a 0x prefix.
  const blockBytes = Number.parseInt(sizeText.trim(), 16);
  if (!Number.isSafeInteger(blockBytes) || blockBytes <= 0) {
    throw new NumapolError('EPARSE', `${sizePath}: not a hex block size: ${JSON.stringify(sizeText.trim())}`, { details: { path: sizePath } });
  }
  const nodeDir = nodeSysDir(root);
  const nodeOfBlock = new Map<number, number>();
  const ambiguous = new Set<number>();
  for (const entry of listDir(nodeDir)) {
    const nm = /^node(\d+)$/.exec(entry);
    if (!nm) continue;
    const node = Number(nm[1]);
    for (const link of listDir(join(nodeDir, entry))) {
      const bm = /^memory(\d+)$/.exec(link);
      if (!bm) continue;
      const block = Number(bm[1]);
      if (ambiguous.has(block)) continue;
      const seen = nodeOfBlock.get(block);
      if (seen === undefined) nodeOfBlock.set(block, node);
      else if (seen !== node) {
        nodeOfBlock.delete(block);
        ambiguous.add(block);
      }
    }
  }
  if (nodeOfBlock.size === 0 && ambiguous.size === 0) return undefined;
  return { blockBytes, nodeOfBlock, ambiguous };
}

/** The node of page frame `pfn` (pages of `pageBytes`), or undefined when the blocks do not tell. */
export function nodeOfPfn(blocks: MemoryBlocks, pfn: number, pageBytes: number): number | undefined {
  return blocks.nodeOfBlock.get(Math.floor((pfn * pageBytes) / blocks.blockBytes));
}

/**
 * A fast frame → node function: frames per block is a power of two in practice, so the lookup
 * is a division and one map access; the last block is cached because pages of a range cluster.
 */
export function pfnToNode(blocks: MemoryBlocks, pageBytes: number): (pfn: number) => number | undefined {
  const framesPerBlock = blocks.blockBytes / pageBytes;
  let lastBlock = -1;
  let lastNode: number | undefined;
  return (pfn) => {
    const b = Math.floor(pfn / framesPerBlock);
    if (b !== lastBlock) {
      lastBlock = b;
      lastNode = blocks.nodeOfBlock.get(b);
    }
    return lastNode;
  };
}

/** A frame → node table for per-page loops: node[pfn >>> shift], -1 where the blocks do not tell. */
export interface BlockNodeTable {
  readonly shift: number;
  readonly node: Int32Array;
}

/** Blocks past this index are not tabled (a 64 TiB machine with 128 MiB blocks has 2^19). */
const MAX_TABLED_BLOCKS = 1 << 22;

/**
 * The block layout as an array indexed by pfn >>> shift: an int32 shift and load per frame
 * instead of a division and a map lookup. Undefined when frames per block is not a power of two
 * or the block numbers are too large to table: pfnToNode then does.
 */
export function blockNodeTable(blocks: MemoryBlocks, pageBytes: number): BlockNodeTable | undefined {
  const framesPerBlock = blocks.blockBytes / pageBytes;
  const shift = Math.log2(framesPerBlock);
  if (!Number.isInteger(shift) || shift < 0 || shift > 30) return undefined;
  let max = -1;
  for (const b of blocks.nodeOfBlock.keys()) if (b > max) max = b;
  if (max >= MAX_TABLED_BLOCKS) return undefined;
  const node = new Int32Array(max + 1).fill(-1);
  for (const [b, n] of blocks.nodeOfBlock) node[b] = n;
  return { shift, node };
}
