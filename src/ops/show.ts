/**
 * `numapol show PID`: a process at a glance — its threads and each thread's mempolicy as the
 * kernel reports it, its cpuset, and its memory per node (total, anon, file, huge).
 */
import type { Mempolicy } from '../policy/index.js';
import { readComm } from '../procfs/processes.js';
import { readProcessNodeUsage } from '../procfs/process-nodes.js';
import { readStatus } from '../procfs/status.js';
import { listThreads } from '../procfs/tasks.js';
import { exactThreadPolicies } from './exact-policy.js';
import type { OpsOptions } from './options.js';
import { kernelPolicy } from './parse-kernel-policy.js';
import { inferThreadPolicyText } from './thread-policy.js';

export interface ThreadReport {
  readonly tid: number;
  readonly name: string;
  /** The thread's policy exactly as the kernel prints it (numa_maps form). */
  readonly policyText: string;
  readonly policy?: Mempolicy;
  /**
   * `numa_maps`: inferred from /proc/PID/task/TID/numa_maps (what most VMAs show);
   * `get_mempolicy`: asked of the thread itself (`--exact`).
   */
  readonly source: 'numa_maps' | 'get_mempolicy';
}

export interface NodeMemory {
  readonly node: number;
  /** Resident bytes on the node, all kinds. */
  readonly totalBytes: number;
  readonly anonBytes: number;
  readonly fileBytes: number;
  /** hugetlb pages on the node. */
  readonly hugeBytes: number;
  readonly heapBytes: number;
  readonly stackBytes: number;
}

export interface ProcessReport {
  readonly pid: number;
  readonly name: string;
  readonly state: string;
  readonly cpuset: { readonly mems: readonly number[]; readonly cpus: readonly number[] };
  readonly threads: readonly ThreadReport[];
  readonly memory: readonly NodeMemory[];
  readonly totalBytes: number;
}

export interface ShowOptions extends OpsOptions {
  /** Stop at this many threads (a process with 10,000 threads); default all. */
  readonly maxThreads?: number;
  /** Ask each thread for its policy (injected get_mempolicy; stops the process briefly). */
  readonly exact?: boolean;
  /** With `exact`: try a process under a seccomp filter ('allow') instead of refusing. */
  readonly seccomp?: 'refuse' | 'allow' | 'suspend';
}

export function showProcess(pid: number, opts: ShowOptions = {}): ProcessReport {
  const ro = opts.root === undefined ? {} : { root: opts.root };
  const status = readStatus(pid, ro);
  const tids = listThreads(pid, ro).slice(0, opts.maxThreads ?? Infinity);
  const threads: ThreadReport[] = [];
  const exact = opts.exact
    ? new Map(exactThreadPolicies(pid, opts.seccomp === undefined ? {} : { seccomp: opts.seccomp }).map((t) => [t.tid, t] as const))
    : undefined;
  for (const tid of tids) {
    const asked = exact?.get(tid);
    if (asked !== undefined) {
      let name: string;
      try {
        name = readComm(pid, { ...ro, tid });
      } catch {
        continue;
      }
      threads.push({ tid, name, policyText: asked.policyText, policy: asked.policy, source: 'get_mempolicy' });
      continue;
    }
    let policyText: string;
    let name: string;
    try {
      policyText = inferThreadPolicyText(pid, tid, opts.root);
      name = readComm(pid, { ...ro, tid });
    } catch {
      continue; // the thread exited while we looked
    }
    const policy = kernelPolicy(policyText);
    threads.push({ tid, name, policyText, ...(policy ? { policy } : {}), source: 'numa_maps' });
  }
  const usage = readProcessNodeUsage(pid, ro);
  const kib = (r: Record<number, number>, n: number): number => (r[n] ?? 0) * 1024;
  const memory = usage.nodes.map((node) => ({
    node,
    totalBytes: kib(usage.total, node),
    anonBytes: kib(usage.byBacking.anon, node),
    fileBytes: kib(usage.byBacking.file, node),
    hugeBytes: kib(usage.byCategory.huge, node),
    heapBytes: kib(usage.byCategory.heap, node),
    stackBytes: kib(usage.byCategory.stack, node),
  }));
  return {
    pid,
    name: status.name,
    state: status.state,
    cpuset: { mems: status.memsAllowed, cpus: status.cpusAllowed },
    threads,
    memory,
    totalBytes: usage.totalKiB * 1024,
  };
}
