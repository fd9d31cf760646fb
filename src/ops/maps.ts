/**
 * `numapol maps PID`: one row per VMA — range, permissions, what it maps, the policy in force and
 * where its pages are — from maps joined with numa_maps (optionally one thread's view).
 */
import { readVmas, type Vma } from '../procfs/vmas.js';
import type { OpsOptions } from './options.js';
import { kernelPolicy } from './parse-kernel-policy.js';
import { vmaMatcher, type VmaFilter } from './vma-filter.js';

export interface MapsOptions extends OpsOptions, VmaFilter {
  /** One thread's view: VMAs without a VMA policy show that thread's policy. */
  readonly tid?: number;
  /** Also read smaps (Rss, Pss, THP): another page-table walk. */
  readonly smaps?: boolean;
}

export interface MapsReport {
  readonly pid: number;
  readonly tid?: number;
  readonly vmas: readonly Vma[];
}

export function listVmas(pid: number, opts: MapsOptions = {}): MapsReport {
  const vmas = readVmas(pid, {
    ...(opts.root === undefined ? {} : { root: opts.root }),
    ...(opts.tid === undefined ? {} : { tid: opts.tid }),
    ...(opts.smaps ? { smaps: true } : {}),
    policyOf: kernelPolicy,
  });
  const keep = vmaMatcher(opts);
  return { pid, ...(opts.tid === undefined ? {} : { tid: opts.tid }), vmas: vmas.filter(keep) };
}
