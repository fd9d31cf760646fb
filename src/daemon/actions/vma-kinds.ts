/**
 * The `vmas:` keys of a rule as VMA filters: `heap`, `stack`, `anon` (private anonymous memory,
 * the heap and stacks of threads included), `shm` (shared anonymous and SysV), `file:GLOB`
 * (file mappings whose path matches GLOB).
 */
import type { VmaFilter } from '../../ops/index.js';

export function vmaFilterOf(key: string): VmaFilter {
  if (key === 'heap') return { kinds: ['heap'] };
  if (key === 'stack') return { kinds: ['stack'] };
  if (key === 'anon') return { kinds: ['anon', 'heap', 'stack'] };
  if (key === 'shm') return { kinds: ['shm'] };
  if (key.startsWith('file:')) return { file: true, name: key.slice('file:'.length) };
  throw new RangeError(`unknown vmas key '${key}'`);
}
