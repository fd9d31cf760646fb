/**
 * How users name memory on the command line, shared by `maps`, `move`, `set` and `home-node`:
 * an address range or a VMA by name, and VMA kinds (anon, file, text, data).
 */
import { parseAddressRange, type AddressRange } from '../ops/address-range.js';
import type { ParsedValues, OptionSpec } from './command.js';
import { optString } from './args.js';

export const RANGE_OPTIONS: Readonly<Record<'range' | 'vma', OptionSpec>> = {
  range: { type: 'string', valueName: 'START[-END|+LEN]', description: 'hex addresses as numa_maps prints them; LEN like 64m; START alone: its whole VMA' },
  vma: { type: 'string', valueName: 'NAME', description: '[heap], [stack], a path, a file name or a glob (*libc*)' },
};

export const VMA_KIND_OPTIONS: Readonly<Record<'anon' | 'file' | 'text' | 'data', OptionSpec>> = {
  anon: { type: 'boolean', description: 'anonymous memory (heap, stack, anon, shared anon, hugetlb)' },
  file: { type: 'boolean', description: 'file-backed mappings' },
  text: { type: 'boolean', description: 'executable mappings (program and library text)' },
  data: { type: 'boolean', description: 'writable, non-executable mappings (data, bss, heap, stack, anon)' },
};

/** `--range` / `--vma` as the ops take them. */
export function rangeSelection(values: ParsedValues): { range?: AddressRange; vma?: string } {
  const range = optString(values, 'range');
  const vma = optString(values, 'vma');
  return { ...(range === undefined ? {} : { range: parseAddressRange(range) }), ...(vma === undefined ? {} : { vma }) };
}

export function vmaKinds(values: ParsedValues): { anon: boolean; file: boolean; text: boolean; data: boolean } {
  return { anon: values['anon'] === true, file: values['file'] === true, text: values['text'] === true, data: values['data'] === true };
}
