/**
 * Where a process's memory is against where its threads run: bytes per node (numa_maps) and the
 * nodes of the CPUs its threads last ran on (each thread's stat). Memory on a node none of its
 * threads ran on is remote: what `numapol top` sorts by, what the metrics call the local ratio,
 * and what automatic placement tries to shrink.
 */
import { ProcessGoneError } from '../../errors.js';
import { readNumaMaps } from '../../procfs/numa-maps.js';
import { processNodeUsage, usageItemOfNumaMaps } from '../../procfs/process-nodes.js';
import { readProcText } from '../../procfs/read.js';
import { readStat } from '../../procfs/stat.js';
import { listThreads } from '../../procfs/tasks.js';
import type { OpsOptions } from '../options.js';

export interface ThreadCpu {
  readonly tid: number;
  /** The CPU it last ran on, and that CPU's node (-1 when unknown). */
  readonly cpu: number;
  readonly node: number;
  /** utime + stime, clock ticks: callers that look twice weigh threads by the difference. */
  readonly ticks: number;
  /**
   * Nanoseconds it has waited on a run queue, runnable but not running (schedstat's second
   * field); absent where the kernel keeps no schedstats. Waiting is CPU a thread wants and
   * does not get: two busy processes sharing one CPU each use half of it and want all of it.
   */
  readonly waitNs?: number;
}

export interface ProcessPlacement {
  readonly pid: number;
  readonly comm: string;
  readonly bytesPerNode: Readonly<Record<number, number>>;
  readonly totalBytes: number;
  readonly threads: readonly ThreadCpu[];
  /** Node → threads that last ran there. */
  readonly threadsPerNode: Readonly<Record<number, number>>;
  /** Bytes on nodes where some thread last ran. */
  readonly localBytes: number;
  /** localBytes / totalBytes; 1 for a process without memory. */
  readonly localRatio: number;
}

export interface PlacementOptions extends OpsOptions {
  /** CPU → node (topology's cpuToNode), read once by the caller for many processes. */
  readonly cpuToNode: Readonly<Record<number, number>>;
  /** Read at most this many threads' stat (a process with 10,000 threads): default all. */
  readonly maxThreads?: number;
}

/** Bytes per node, and their sum, from KiB per node (processNodeUsage's total); empty nodes left out. */
export function bytesPerNodeOf(kibPerNode: Readonly<Record<number, number>>): { bytesPerNode: Record<number, number>; totalBytes: number } {
  const bytesPerNode: Record<number, number> = {};
  let totalBytes = 0;
  for (const [n, kib] of Object.entries(kibPerNode)) {
    if (kib <= 0) continue;
    bytesPerNode[Number(n)] = kib * 1024;
    totalBytes += kib * 1024;
  }
  return { bytesPerNode, totalBytes };
}

export function processPlacement(pid: number, opts: PlacementOptions): ProcessPlacement {
  const ro = opts.root === undefined ? {} : { root: opts.root };
  const stat = readStat(pid, ro);
  const { bytesPerNode, totalBytes } = bytesPerNodeOf(processNodeUsage(readNumaMaps(pid, ro).map(usageItemOfNumaMaps)).total);
  const threads = readThreadCpus(pid, opts);
  const threadsPerNode: Record<number, number> = {};
  for (const t of threads) if (t.node >= 0) threadsPerNode[t.node] = (threadsPerNode[t.node] ?? 0) + 1;
  let localBytes = 0;
  for (const [n, b] of Object.entries(bytesPerNode)) if (threadsPerNode[Number(n)] !== undefined) localBytes += b;
  return { pid, comm: stat.comm, bytesPerNode, totalBytes, threads, threadsPerNode, localBytes, localRatio: totalBytes === 0 ? 1 : localBytes / totalBytes };
}

/**
 * Each thread's last CPU and node and its CPU time (at most `maxThreads` of them); `waits` adds
 * each one's run-queue wait. A thread that ended since the listing is not counted.
 */
export function readThreadCpus(pid: number, opts: PlacementOptions & { readonly waits?: boolean }): ThreadCpu[] {
  const ro = opts.root === undefined ? {} : { root: opts.root };
  const threads: ThreadCpu[] = [];
  const tids = listThreads(pid, ro);
  for (const tid of opts.maxThreads === undefined ? tids : tids.slice(0, opts.maxThreads)) {
    try {
      const t = readStat(pid, { ...ro, tid });
      const waitNs = opts.waits === true ? runQueueWaitNs(pid, tid, ro) : undefined;
      threads.push({ tid, cpu: t.processor, node: opts.cpuToNode[t.processor] ?? -1, ticks: t.utime + t.stime, ...(waitNs === undefined ? {} : { waitNs }) });
    } catch (e) {
      if (!(e instanceof ProcessGoneError)) throw e;
    }
  }
  return threads;
}

/** schedstat's "run_ns wait_ns slices": the wait, or undefined without schedstats (or a thread gone). */
function runQueueWaitNs(pid: number, tid: number, ro: { root?: string }): number | undefined {
  let text: string;
  try {
    text = readProcText(pid, 'schedstat', { ...ro, tid });
  } catch {
    return undefined;
  }
  const wait = Number(text.split(' ')[1]);
  return Number.isFinite(wait) ? wait : undefined;
}
