/**
 * The nodes a job uses now (`numapol job list`, and a job move's default FROM), read from /proc
 * without stopping anything:
 *
 * - memory: nodes holding the job's own pages: anonymous memory (private, heap, stack, shared
 *   anonymous, SysV shm) and shared file mappings (tmpfs and POSIX shm files, data files).
 *   Private file mappings (program and library text and data) are left out: most of their pages
 *   are the machine's page cache, on whatever node first read them, and no sign of where the job
 *   is (numa_maps cannot tell their few copied-on-write pages from the rest).
 * - policy: nodes named by the policies numa_maps shows (VMA policies and the main thread's);
 *   relative nodemasks are resolved against the process's cpuset.
 * - cpus: nodes of the CPUs the threads may run on.
 *
 * A move's default FROM is where the job is told to be: the nodes its policies name and the
 * nodes of its restricted threads' CPUs (an unpinned thread does not "use" every node). Only a job
 * told nothing (default policies, no pinning) is where its memory is. Pages a process allocated
 * before it set its policy (its first stack and heap pages, on the node it started on) would
 * otherwise widen FROM past the nodes the job was given.
 */
import { ProcessGoneError } from '../../errors.js';
import { nodeSet, type NodeSet } from '../../policy/index.js';
import type { Vma } from '../../procfs/vmas.js';
import { readCpuset } from '../../topology/cpuset.js';
import { processAffinity } from '../cpus/process-affinity.js';
import { targetVmas } from '../move-pages.js';
import type { OpsOptions } from '../options.js';
import { kernelPolicy } from '../parse-kernel-policy.js';
import { cpuToNodeMap } from '../read/cpu-to-node.js';
import { isAnonVma } from '../vma-filter.js';
import { relativeToAbsolute } from './policy-map.js';

/** A process of a job. */
export interface JobMember {
  readonly pid: number;
}

export interface MemberNodes {
  readonly pid: number;
  /** Nodes holding the process's own pages (see the module comment). */
  readonly memory: NodeSet;
  /** Pages per node of those mappings. */
  readonly pagesPerNode: Readonly<Record<number, number>>;
  /** Nodes its policies name. */
  readonly policy: NodeSet;
  /** CPUs any of its threads may run on. */
  readonly cpus: readonly number[];
  /** Nodes of those CPUs. */
  readonly cpuNodes: NodeSet;
  /** Some thread may not run on every CPU of the machine. */
  readonly restricted: boolean;
}

export interface JobNodes {
  readonly members: readonly MemberNodes[];
  /** Members that have exited. */
  readonly gone: readonly number[];
  readonly memory: NodeSet;
  readonly policy: NodeSet;
  readonly cpuNodes: NodeSet;
  /**
   * What a move's FROM defaults to: policy ∪ the CPU nodes of restricted members, or memory when
   * both are empty (see the module comment).
   */
  readonly nodes: NodeSet;
  readonly pagesPerNode: Readonly<Record<number, number>>;
}

/** A mapping whose pages are the job's own, not shared page cache of the machine. */
export function isJobMemory(v: Pick<Vma, 'kind' | 'perms'>): boolean {
  return isAnonVma(v) || v.perms[3] === 's';
}

/** What one process uses; throws ProcessGoneError when it is gone. */
export function memberNodes(pid: number, opts: OpsOptions & { cpuToNode?: Readonly<Record<number, number>> } = {}): MemberNodes {
  const ro = opts.root === undefined ? {} : { root: opts.root };
  const cpuToNode = opts.cpuToNode ?? cpuToNodeMap(ro);
  const vmas = targetVmas(pid, opts.root);
  const pages: Record<number, number> = {};
  const policy = new Set<number>();
  let mems: NodeSet | undefined;
  for (const v of vmas) {
    if (isJobMemory(v)) {
      for (const [n, p] of Object.entries(v.pagesPerNode)) if (p > 0) pages[Number(n)] = (pages[Number(n)] ?? 0) + p;
    }
    const p = v.policyText === undefined ? undefined : kernelPolicy(v.policyText);
    if (p === undefined || p.nodes.length === 0) continue;
    if (p.flags.remap === 'relative') {
      mems ??= readCpuset(pid, ro).mems;
      for (const n of relativeToAbsolute(p.nodes, mems)) policy.add(n);
    } else for (const n of p.nodes) policy.add(n);
  }
  const threads = processAffinity(pid, ro);
  if (threads.length === 0) throw new ProcessGoneError(pid);
  const all = Object.keys(cpuToNode).length;
  const cpus = nodeSet(threads.flatMap((t) => t.cpus));
  const restricted = threads.some((t) => t.cpus.filter((c) => cpuToNode[c] !== undefined).length < all);
  const cpuNodes = nodeSet(cpus.map((c) => cpuToNode[c]).filter((n): n is number => n !== undefined));
  return { pid, memory: nodeSet(Object.keys(pages).map(Number)), pagesPerNode: pages, policy: nodeSet(policy), cpus, cpuNodes, restricted };
}

/** The nodes a job uses now (see the module comment). Gone members are listed, not fatal. */
export function jobNodes(members: readonly JobMember[], opts: OpsOptions = {}): JobNodes {
  const cpuToNode = cpuToNodeMap(opts);
  const out: MemberNodes[] = [];
  const gone: number[] = [];
  for (const m of members) {
    try {
      out.push(memberNodes(m.pid, { ...opts, cpuToNode }));
    } catch (e) {
      if (e instanceof ProcessGoneError) gone.push(m.pid);
      else throw e;
    }
  }
  const pages: Record<number, number> = {};
  for (const m of out) for (const [n, p] of Object.entries(m.pagesPerNode)) pages[Number(n)] = (pages[Number(n)] ?? 0) + p;
  const memory = nodeSet(out.flatMap((m) => m.memory));
  const policy = nodeSet(out.flatMap((m) => m.policy));
  const cpuNodes = nodeSet(out.flatMap((m) => m.cpuNodes));
  const told = nodeSet([...policy, ...out.filter((m) => m.restricted).flatMap((m) => m.cpuNodes)]);
  const nodes = told.length > 0 ? told : memory;
  return { members: out, gone, memory, policy, cpuNodes, nodes, pagesPerNode: pages };
}
