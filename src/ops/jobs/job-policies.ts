/**
 * A job member's policies across a move: every thread's task policy and every VMA policy of its
 * own, read exactly (injected get_mempolicy) and rewritten to the partner nodes (set_mempolicy,
 * mbind without MPOL_MF_MOVE: the pages are moved afterwards, paced), in one stop of the process.
 * A failure puts back what this stop changed before the process runs again (set-policy.ts's
 * rollback); records are in the kernel's text form so a journal can keep them.
 *
 * Which VMAs can have a policy of their own: numa_maps prints a VMA's own policy, else the main
 * thread's. So a VMA showing `default` has none, and every other one is asked (all in one
 * injection). A shared mapping's policy lives on the object (tmpfs file, shm segment), not in
 * the VMA: members mapping one object share it, so it is rewritten once (see SharedObjects).
 */
import { NumapolError } from '../../errors.js';
import { withStoppedProcess, type SessionStats, type StoppedProcess } from '../../inject/index.js';
import type { Mempolicy } from '../../policy/index.js';
import type { Vma } from '../../procfs/vmas.js';
import { listThreads } from '../../procfs/tasks.js';
import { hexAddr, isMovableVma, type Segment } from '../address-range.js';
import { targetVmas } from '../move-pages.js';
import { kernelPolicy } from '../parse-kernel-policy.js';
import { policyText, remoteError, RemoteMempolicy, type UndoLog } from '../remote-mempolicy.js';
import { mappingName, mbindInSession } from '../set-range-policy.js';
import { preflight, setThreadsInSession, stopFigures, stopOptions, withRollback, type StopFigures, type StopProcessOptions } from '../set-policy.js';
import { inferThreadPolicyText } from '../thread-policy.js';
import { samePolicyExactly } from './policy-map.js';

export interface ThreadPolicyRecord {
  readonly tid: number;
  /** Kernel (numa_maps) text. */
  readonly policy: string;
}

export interface VmaPolicyRecord {
  /** Hex addresses. */
  readonly start: string;
  readonly end: string;
  readonly mapping: string;
  readonly policy: string;
  /** A shared mapping's object (device:inode:offset:length): its policy is the object's. */
  readonly object?: string;
}

export interface ProcessPolicies {
  readonly threads: readonly ThreadPolicyRecord[];
  readonly vmas: readonly VmaPolicyRecord[];
}

export interface PolicyChange {
  readonly before: string;
  readonly after: string;
}

export interface MemberPolicyReport {
  readonly threads: readonly (PolicyChange & { tid: number })[];
  readonly vmas: readonly (PolicyChange & { start: string; end: string; mapping: string; object?: string; sharedWithEarlierMember?: boolean })[];
  readonly stop?: StopFigures;
}

/** Shared objects' policies already rewritten by an earlier member: object → before/after. */
export type SharedObjects = Map<string, { before: Mempolicy; after: Mempolicy }>;

/** The object a shared file or shm mapping's policy belongs to. */
export function objectOf(v: Pick<Vma, 'perms' | 'inode' | 'dev' | 'offset' | 'start' | 'end'>): string | undefined {
  if (v.perms[3] !== 's' || v.inode === 0) return undefined;
  return `${v.dev}:${v.inode}:${v.offset.toString(16)}:${(v.end - v.start).toString(16)}`;
}

/** VMAs that may have a policy of their own (see the module comment). */
function candidates(vmas: readonly Vma[]): Vma[] {
  return vmas.filter((v) => isMovableVma(v) && v.policyText !== undefined && v.policyText !== 'default');
}

function parsed(text: string): Mempolicy {
  const p = kernelPolicy(text);
  if (p === undefined) throw new NumapolError('EMODE', `policy '${text}' is not one numapol knows how to move`);
  return p;
}

interface ReadPolicies {
  readonly threads: { tid: number; policy: Mempolicy }[];
  readonly vmas: { vma: Vma; policy: Mempolicy }[];
}

function readInSession(rm: RemoteMempolicy, s: StoppedProcess, pid: number, vmas: readonly Vma[]): ReadPolicies {
  const tids = [...s.threads];
  const tp = rm.threadPolicies(tids);
  const threads = tids.map((tid, i) => {
    const r = tp[i]!;
    if (!r.ok) throw remoteError(`cannot read the policy of thread ${tid} of pid ${pid}`, r, { pid, tid });
    return { tid, policy: r.value };
  });
  const cands = candidates(vmas);
  const tid = tids[0];
  const out: { vma: Vma; policy: Mempolicy }[] = [];
  if (tid !== undefined && cands.length > 0) {
    const vp = rm.vmaPolicies(tid, cands.map((v) => v.start));
    cands.forEach((v, i) => {
      const r = vp[i]!;
      if (!r.ok) throw remoteError(`cannot read the policy of ${hexAddr(v.start)} in pid ${pid}`, r, { pid, start: hexAddr(v.start) });
      if (r.value.mode !== 'default') out.push({ vma: v, policy: r.value });
    });
  }
  return { threads, vmas: out };
}

/**
 * Inside the stop: sets each thread and VMA its target (threads grouped by target: one exchange
 * per distinct policy). Logs undos; throws on the first failure.
 */
function setInSession(
  rm: RemoteMempolicy,
  s: StoppedProcess,
  pid: number,
  read: ReadPolicies,
  target: (p: Mempolicy) => Mempolicy,
  shared: SharedObjects,
  undo: UndoLog,
  verify: boolean,
): MemberPolicyReport {
  const threads: (PolicyChange & { tid: number })[] = [];
  const groups = new Map<string, { policy: Mempolicy; tids: number[] }>();
  for (const t of read.threads) {
    const to = target(t.policy);
    const before = policyText(t.policy);
    threads.push({ tid: t.tid, before, after: policyText(to) });
    if (samePolicyExactly(to, t.policy)) continue;
    const k = policyText(to);
    const g = groups.get(k) ?? { policy: to, tids: [] };
    g.tids.push(t.tid);
    groups.set(k, g);
  }
  for (const g of groups.values()) setThreadsInSession(rm, pid, g.tids, g.policy, undo, verify);
  const vmas: MemberPolicyReport['vmas'][number][] = [];
  const tid = s.threads[0];
  for (const { vma, policy } of read.vmas) {
    const object = objectOf(vma);
    const base = { start: hexAddr(vma.start), end: hexAddr(vma.end), mapping: mappingName({ start: vma.start, end: vma.end, vma }), ...(object === undefined ? {} : { object }) };
    const done = object === undefined ? undefined : shared.get(object);
    if (done !== undefined && samePolicyExactly(done.after, policy)) {
      vmas.push({ ...base, before: policyText(done.before), after: policyText(done.after), sharedWithEarlierMember: true });
      continue;
    }
    const to = target(policy);
    vmas.push({ ...base, before: policyText(policy), after: policyText(to) });
    if (object !== undefined) shared.set(object, { before: policy, after: to });
    if (samePolicyExactly(to, policy) || tid === undefined) continue;
    const seg: Segment = { start: vma.start, end: vma.end, vma };
    mbindInSession(rm, pid, tid, [seg], to, 0, undo, verify);
  }
  return { threads, vmas };
}

export interface RemapOptions extends StopProcessOptions {
  /** Read each policy back after setting it (default true). */
  readonly verify?: boolean;
  /** Shared across the members of one move (default: a fresh map). */
  readonly shared?: SharedObjects;
}

function needsStop(pid: number, vmas: readonly Vma[], root: string | undefined): boolean {
  if (candidates(vmas).length > 0) return true;
  // Every VMA shows `default`: the main thread's policy is default; others may differ.
  return listThreads(pid, root === undefined ? {} : { root }).some((tid) => tid !== pid && inferThreadPolicyText(pid, tid, root) !== 'default');
}

/**
 * Reads the policies of `pid` and sets each its `target`, in one stop; returns the records before
 * and what changed. A process whose every policy is default is not stopped at all.
 */
export function remapProcessPolicies(
  pid: number,
  target: (p: Mempolicy) => Mempolicy,
  opts: RemapOptions = {},
): { before: ProcessPolicies; report: MemberPolicyReport } {
  const vmas = targetVmas(pid, opts.root);
  const shared = opts.shared ?? new Map();
  if (opts.dryRun) return planFromProc(pid, vmas, target, opts);
  if (!needsStop(pid, vmas, opts.root)) {
    const tids = listThreads(pid, opts.root === undefined ? {} : { root: opts.root });
    return { before: { threads: tids.map((tid) => ({ tid, policy: 'default' })), vmas: [] }, report: { threads: tids.map((tid) => ({ tid, before: 'default', after: 'default' })), vmas: [] } };
  }
  let stats: SessionStats | undefined;
  const r = withStoppedProcess(pid, stopOptions(opts, (x) => (stats = x)), (s) =>
    withRollback(s, (rm, undo) => {
      const read = readInSession(rm, s, pid, vmas);
      const before = recordsOf(read, shared);
      return { before, report: setInSession(rm, s, pid, read, target, shared, undo, opts.verify ?? true) };
    }),
  );
  return { before: r.before, report: { ...r.report, ...(stats ? { stop: stopFigures(stats) } : {}) } };
}

/** Before records; a shared object an earlier member rewrote keeps that member's before. */
function recordsOf(read: ReadPolicies, shared: SharedObjects): ProcessPolicies {
  return {
    threads: read.threads.map((t) => ({ tid: t.tid, policy: policyText(t.policy) })),
    vmas: read.vmas.map(({ vma, policy }) => {
      const object = objectOf(vma);
      const done = object === undefined ? undefined : shared.get(object);
      const before = done !== undefined && samePolicyExactly(done.after, policy) ? done.before : policy;
      return { start: hexAddr(vma.start), end: hexAddr(vma.end), mapping: mappingName({ start: vma.start, end: vma.end, vma }), policy: policyText(before), ...(object === undefined ? {} : { object }) };
    }),
  };
}

/** A dry run: policies as /proc shows them (numa_maps per thread), nothing stopped. */
function planFromProc(pid: number, vmas: readonly Vma[], target: (p: Mempolicy) => Mempolicy, opts: RemapOptions): { before: ProcessPolicies; report: MemberPolicyReport } {
  preflight(pid, opts);
  const tids = listThreads(pid, opts.root === undefined ? {} : { root: opts.root });
  const threads = tids.map((tid) => {
    const text = inferThreadPolicyText(pid, tid, opts.root);
    return { tid, before: text, after: policyText(target(parsed(text))) };
  });
  const main = threads.find((t) => t.tid === pid)?.before ?? 'default';
  const own = candidates(vmas).filter((v) => v.policyText !== main);
  const vmaReports = own.map((v) => {
    const object = objectOf(v);
    return {
      start: hexAddr(v.start),
      end: hexAddr(v.end),
      mapping: mappingName({ start: v.start, end: v.end, vma: v }),
      before: v.policyText!,
      after: policyText(target(parsed(v.policyText!))),
      ...(object === undefined ? {} : { object }),
    };
  });
  return {
    before: { threads: threads.map((t) => ({ tid: t.tid, policy: t.before })), vmas: vmaReports.map((v) => ({ start: v.start, end: v.end, mapping: v.mapping, policy: v.before, ...(v.object === undefined ? {} : { object: v.object }) })) },
    report: { threads, vmas: vmaReports },
  };
}

/**
 * Reads the policies of `pid` in one stop, changing nothing (a cgroup job's policies before its
 * cpuset moves). A process whose every policy is default is not stopped.
 */
export function readProcessPolicies(pid: number, opts: Omit<StopProcessOptions, 'dryRun'> & { shared?: SharedObjects } = {}): ProcessPolicies {
  const vmas = targetVmas(pid, opts.root);
  if (!needsStop(pid, vmas, opts.root)) {
    return { threads: listThreads(pid, opts.root === undefined ? {} : { root: opts.root }).map((tid) => ({ tid, policy: 'default' })), vmas: [] };
  }
  return withStoppedProcess(pid, stopOptions(opts, () => undefined), (s) => recordsOf(readInSession(new RemoteMempolicy(s), s, pid, vmas), opts.shared ?? new Map()));
}

/** The records with every policy passed through `f` (the same thread and range each). */
export function mapRecords(p: ProcessPolicies, f: (p: Mempolicy) => Mempolicy): ProcessPolicies {
  return {
    threads: p.threads.map((t) => ({ tid: t.tid, policy: policyText(f(parsed(t.policy))) })),
    vmas: p.vmas.map((v) => ({ ...v, policy: policyText(f(parsed(v.policy))) })),
  };
}

/** Whether applying the records would change nothing in a process whose policies are all default. */
export function allDefault(p: ProcessPolicies): boolean {
  return p.vmas.length === 0 && p.threads.every((t) => t.policy === 'default');
}

export interface ApplyPoliciesReport {
  readonly threads: readonly { tid: number; policy: string; ok: boolean; error?: string }[];
  readonly vmas: readonly { start: string; end: string; policy: string; ok: boolean; error?: string; sharedWithEarlierMember?: boolean }[];
  /** Recorded threads that have exited. */
  readonly gone: readonly number[];
  readonly stop?: StopFigures;
}

/**
 * Sets recorded policies in one stop, as far as the process still allows: each recorded thread
 * its own, threads born since the main thread's (what they would have inherited), each recorded
 * range its policy (a range no longer mapped is reported, not fatal). `restored` lists shared
 * objects an earlier member already set. Undo puts a job's policies back with this; a cgroup job
 * gets its moved policies with it after its cpuset moved.
 */
export function applyProcessPolicies(pid: number, before: ProcessPolicies, opts: Omit<StopProcessOptions, 'dryRun'> & { restored?: Set<string> } = {}): ApplyPoliciesReport {
  const byTid = new Map(before.threads.map((t) => [t.tid, t.policy] as const));
  const fallback = byTid.get(pid) ?? before.threads[0]?.policy ?? 'default';
  const restored = opts.restored ?? new Set<string>();
  let stats: SessionStats | undefined;
  const r = withStoppedProcess(pid, stopOptions(opts, (x) => (stats = x)), (s) => {
    const rm = new RemoteMempolicy(s);
    const threads = s.threads.map((tid) => {
      const text = byTid.get(tid) ?? fallback;
      const out = rm.setThreadPolicy(tid, parsed(text));
      return out.ok ? { tid, policy: text, ok: true } : { tid, policy: text, ok: false, error: `${out.errnoName}: ${out.meaning}` };
    });
    const gone = before.threads.map((t) => t.tid).filter((t) => !s.threads.includes(t));
    const tid = s.threads[0];
    const vmas = before.vmas.map((v) => {
      if (v.object !== undefined && restored.has(v.object)) return { start: v.start, end: v.end, policy: v.policy, ok: true, sharedWithEarlierMember: true };
      if (tid === undefined) return { start: v.start, end: v.end, policy: v.policy, ok: false, error: 'no thread left' };
      const out = rm.mbind(tid, BigInt(v.start), BigInt(v.end), parsed(v.policy), 0);
      if (out.ok && v.object !== undefined) restored.add(v.object);
      return out.ok ? { start: v.start, end: v.end, policy: v.policy, ok: true } : { start: v.start, end: v.end, policy: v.policy, ok: false, error: `${out.errnoName}: ${out.meaning}` };
    });
    return { threads, vmas, gone };
  });
  return { ...r, ...(stats ? { stop: stopFigures(stats) } : {}) };
}

