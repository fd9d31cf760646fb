/**
 * Policy text that the kernel printed (numa_maps) → Mempolicy, cached per distinct text: a process
 * has many VMAs but few distinct policies. Text the parser does not know (a future kernel) gives
 * undefined, and callers keep the text.
 */
import type { Mempolicy } from '../policy/model.js';
import { parsePolicy } from '../policy/parse.js';

const cache = new Map<string, Mempolicy | undefined>();

export function kernelPolicy(text: string): Mempolicy | undefined {
  if (cache.has(text)) return cache.get(text);
  let p: Mempolicy | undefined;
  try {
    p = parsePolicy(text);
  } catch {
    p = undefined;
  }
  cache.set(text, p);
  return p;
}
