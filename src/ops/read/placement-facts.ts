/**
 * What automatic placement measures of one process, in one read of each file: its identity (pid,
 * start), bytes per node and task policy (one numa_maps read: the policy most VMAs show is the
 * task's, as in thread-policy.ts, but voted over every VMA since the whole file is read anyway),
 * and each thread's last CPU with its CPU time (task/TID/stat), which a caller looking twice turns
 * into CPU use per node.
 *
 * numa_maps is the costly part (the kernel walks the page tables of every VMA). numad reads it
 * too; pagemap plus memory blocks is no cheaper for a whole process (it also walks every page).
 */
import { ProcessGoneError } from '../../errors.js';
import { pageSize } from '../../kernel/memory.js';
import { parseNumaMapsLine } from '../../procfs/numa-maps.js';
import { linesOf } from '../../procfs/lines.js';
import { processNodeUsage, usageItemOfNumaMaps } from '../../procfs/process-nodes.js';
import { readProcText } from '../../procfs/read.js';
import { readStat } from '../../procfs/stat.js';
import type { OpsOptions } from '../options.js';
import { bytesPerNodeOf, readThreadCpus, type ThreadCpu } from './process-placement.js';

export interface PlacementFacts {
  readonly pid: number;
  /** /proc/PID/stat field 22: with the pid, the process's identity. */
  readonly start: number;
  readonly comm: string;
  /** stat's state letter: Z (zombie) and X (dead) have no memory left to place. */
  readonly state: string;
  readonly rssBytes: number;
  /** Threads the kernel counts (stat field 20); `threads` below may hold fewer (maxThreads). */
  readonly threadCount: number;
  readonly threads: readonly ThreadCpu[];
  readonly bytesPerNode: Readonly<Record<number, number>>;
  readonly totalBytes: number;
  /** The policy text most of its VMAs show (numa_maps form: "default", "bind:2", "interleave:0-3"). */
  readonly policyText: string;
}

export interface PlacementFactsOptions extends OpsOptions {
  /** CPU → node (topology's cpuToNode), read once by the caller. */
  readonly cpuToNode: Readonly<Record<number, number>>;
  /** Read at most this many threads' stat. Default all. */
  readonly maxThreads?: number;
}

/** Throws ProcessGoneError when the process is gone (or its pid was reused while being read). */
export function placementFacts(pid: number, opts: PlacementFactsOptions): PlacementFacts {
  const ro = opts.root === undefined ? {} : { root: opts.root };
  const stat = readStat(pid, ro);
  const items = [];
  const votes = new Map<string, number>();
  for (const line of linesOf(readProcText(pid, 'numa_maps', ro))) {
    const e = parseNumaMapsLine(line);
    if (e === undefined) continue;
    items.push(usageItemOfNumaMaps(e));
    votes.set(e.policyText, (votes.get(e.policyText) ?? 0) + 1);
  }
  const { bytesPerNode, totalBytes } = bytesPerNodeOf(processNodeUsage(items).total);
  const threads = readThreadCpus(pid, { ...opts, waits: true });
  // A pid reused while we read would mix two processes: the start time must not have changed.
  if (readStat(pid, ro).starttime !== stat.starttime) throw new ProcessGoneError(pid);
  let policyText = 'default';
  let best = 0;
  for (const [p, n] of votes) {
    if (n > best) {
      best = n;
      policyText = p;
    }
  }
  return {
    pid,
    start: stat.starttime,
    comm: stat.comm,
    state: stat.state,
    rssBytes: stat.rss * pageSize(),
    threadCount: stat.numThreads,
    threads,
    bytesPerNode,
    totalBytes,
    policyText,
  };
}

