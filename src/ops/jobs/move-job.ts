/**
 * Moving a whole job (a group of processes placed together) from one node set to another, as the
 * seeds' batch scheduler asked of Ray Bryant's manual page migration: every node keeps its
 * partner (node-map.ts), and everything the job has follows:
 *
 * 1. Policies: each thread's task policy and each VMA policy of its own, rewritten to the partner
 *    nodes, in one stop per process (job-policies.ts). Done first, so that what the job
 *    allocates while its pages move already lands on the new nodes.
 * 2. CPUs: each thread's affinity remapped CPU for CPU (cpu-map.ts), by sched_setaffinity.
 * 3. Pages: every page on a source node to its partner, paced at the job's rate, each page that
 *    several members map moved once (job-pages.ts).
 *
 * A cgroup job (a cgroup v2 with the cpuset controller) is moved by its cpuset instead:
 * cpuset.cpus, then cpuset.mems, whose write makes the kernel migrate every page of the cgroup's
 * tasks synchronously, inside the write (cgroup-cpuset.ts); the paced path is not used then. The
 * policies are read before and set after (the kernel rebinds most of them itself, but not those
 * with static nodes), and thread affinities narrower than the cpuset are remapped too.
 *
 * Everything needed to put the job back is recorded first (`before`: affinity per thread, thread
 * and VMA policies, the node of every page about to move); undoJobMove uses it. If a step fails
 * after something changed, what changed is put back before the error is thrown.
 */
import { performance } from 'node:perf_hooks';
import { NumapolError, ProcessGoneError, UsageError } from '../../errors.js';
import { formatRanges, pageSize } from '../../kernel/index.js';
import { formatNodeList, type Mempolicy, type NodeSet } from '../../policy/index.js';
import { readCgroupV2Path } from '../../procfs/cgroup.js';
import { readCpuset } from '../../topology/cpuset.js';
import { readMemoryNodes } from '../../topology/nodes.js';
import { readInterleaveWeights } from '../../topology/weights.js';
import { processAffinity, restoreProcessAffinity, type ThreadAffinity } from '../cpus/process-affinity.js';
import { emptyTally, failedPages, targetVmas, type Flow } from '../move-pages.js';
import { recordPagePlacement } from '../placement/page-placement.js';
import { kernelPolicy } from '../parse-kernel-policy.js';
import { processStart } from '../read/process-facts.js';
import { cpuToNodeMap } from '../read/cpu-to-node.js';
import { userNodes } from '../user-policy.js';
import { cgroupMembers, readCgroupCpuset, writeCpusetFile, type CgroupCpuset } from './cgroup-cpuset.js';
import { cpuTables, remapCpus } from './cpu-map.js';
import { addEntries, emptyEntries, jobTotals, moveJobPages, segmentsToMove } from './job-pages.js';
import { allDefault, applyProcessPolicies, mapRecords, readProcessPolicies, remapProcessPolicies, type MemberPolicyReport, type ProcessPolicies, type SharedObjects } from './job-policies.js';
import { jobNodes, type JobMember } from './job-nodes.js';
import type { JobMoveBefore, JobMoveReport, MemberBefore, MemberMoveReport, MoveJobOptions } from './job-types.js';
import { jobNodeMap, mapPairs, type JobNodeMap } from './node-map.js';
import { placementOutcome } from './placement-outcome.js';
import { remapPolicy, weightChanges } from './policy-map.js';
import { surveySharedPages } from './shared-pages.js';
import { undoJobMove } from './undo-job-move.js';

/** Node list text or numbers, checked against the machine (not a cpuset: a job may leave its own). */
function nodesArg(v: string | readonly number[], root: string | undefined): NodeSet {
  if (typeof v !== 'string' && v.length === 0) return [];
  return userNodes(typeof v === 'string' ? v : v.join(','), { ...(root === undefined ? {} : { root }), ignoreCpuset: true });
}

/** One member as found before the move, with its planned CPUs. */
interface MemberPlan {
  readonly pid: number;
  readonly start: number | undefined;
  readonly affinity: readonly ThreadAffinity[];
  readonly newAffinity: readonly ThreadAffinity[];
  /** Its cpuset's nodes: what relative policies refer to. */
  readonly mems: NodeSet;
}

function planMember(pid: number, nm: JobNodeMap, tables: ReturnType<typeof cpuTables>, cgroup: CgroupCpuset | undefined, root: string | undefined, warnings: string[]): MemberPlan | undefined {
  const ro = root === undefined ? {} : { root };
  const affinity = processAffinity(pid, ro);
  if (affinity.length === 0) return undefined;
  const cs = readCpuset(pid, ro);
  const newAffinity = affinity.map((t) => {
    const r = remapCpus(t.cpus, nm.map, tables.nodeCpus, tables.cpuNode);
    if (r.cpus.length === 0) {
      throw new UsageError(
        `thread ${t.tid} of pid ${pid} runs only on CPUs ${formatRanges(t.cpus)}, whose nodes' partners have no CPU: pin it elsewhere first, or choose --to nodes with CPUs`,
        { details: { pid, tid: t.tid } },
      );
    }
    if (r.dropped.length > 0) warnings.push(`pid ${pid} thread ${t.tid}: CPUs ${formatRanges(r.dropped)} dropped (their nodes' partners have no CPU)`);
    return { tid: t.tid, cpus: r.cpus };
  });
  if (cgroup === undefined) {
    const outside = nm.to.filter((n) => !cs.mems.includes(n));
    if (outside.length > 0) {
      throw new UsageError(
        `pid ${pid} may use nodes ${formatNodeList(cs.mems)} only (its cpuset): it cannot be moved to ${formatNodeList(outside)} by policy and affinity; ` +
          `move its cgroup instead (cgroup: ${safeCgroup(pid, root) ?? '?'})`,
        { code: 'ECPUSET', details: { pid, mems: cs.mems } },
      );
    }
    const allowed = cpusetCpus(pid, root);
    for (const t of newAffinity) {
      if (allowed !== undefined && !t.cpus.some((c) => allowed.includes(c))) {
        throw new UsageError(`thread ${t.tid} of pid ${pid} would run on CPUs ${formatRanges(t.cpus)}, all outside its cpuset (${formatRanges(allowed)})`, {
          code: 'ECPUSET',
          details: { pid, tid: t.tid },
        });
      }
    }
  } else {
    const in_ = safeCgroup(pid, root);
    if (in_ !== undefined && in_ !== cgroup.path && !in_.startsWith(`${cgroup.path}/`)) {
      warnings.push(`pid ${pid} is in cgroup ${in_}, not in ${cgroup.path}: the cpuset does not move it`);
    }
  }
  return { pid, start: processStart(pid, ro), affinity, newAffinity, mems: cs.mems };
}

/**
 * The CPUs the cpuset of `pid` allows (cgroup v2 cpuset.cpus.effective), or undefined when that
 * cannot be read: /proc/PID/status's Cpus_allowed is the thread's affinity, not its cpuset.
 */
function cpusetCpus(pid: number, root: string | undefined): number[] | undefined {
  const path = safeCgroup(pid, root);
  if (path === undefined) return undefined;
  try {
    return readCgroupCpuset(path, root === undefined ? {} : { root }).cpusEffective.slice();
  } catch {
    return undefined;
  }
}

function safeCgroup(pid: number, root: string | undefined): string | undefined {
  try {
    return readCgroupV2Path(pid, root === undefined ? {} : { root }) ?? undefined;
  } catch {
    return undefined;
  }
}

function pageTotals(pid: number, root: string | undefined): Record<number, number> {
  const out: Record<number, number> = {};
  for (const v of targetVmas(pid, root)) for (const [n, p] of Object.entries(v.pagesPerNode)) out[Number(n)] = (out[Number(n)] ?? 0) + p;
  return out;
}

function sameNodes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** Warnings for weighted-interleave policies whose partner nodes weigh differently. */
function weightWarnings(pid: number, policies: MemberPolicyReport | undefined, nm: JobNodeMap, root: string | undefined): string[] {
  if (policies === undefined) return [];
  const all = [...policies.threads.map((t) => t.before), ...policies.vmas.map((v) => v.before)];
  if (!all.some((t) => t.startsWith('weighted'))) return [];
  const w = readInterleaveWeights(root === undefined ? {} : { root });
  if (w === undefined) return [];
  const out = new Set<string>();
  for (const text of all) {
    const p = kernelPolicy(text);
    if (p === undefined) continue;
    for (const c of weightChanges(p, nm.map, w.weights)) {
      out.add(`pid ${pid}: weighted interleave weight of node ${c.from} is ${c.fromWeight}, of its partner ${c.to} ${c.toWeight}: the interleave ratios change`);
    }
  }
  return [...out];
}

/** Moves a job; see the module comment and JobMoveReport. */
export async function moveJob(members: readonly JobMember[], opts: MoveJobOptions): Promise<JobMoveReport> {
  const t0 = performance.now();
  const root = opts.root;
  const ro = root === undefined ? {} : { root };
  const cgroup = opts.cgroup === undefined ? undefined : readCgroupCpuset(opts.cgroup, ro);
  let pids = [...new Set(members.map((m) => m.pid))];
  if (pids.length === 0 && cgroup !== undefined) pids = cgroupMembers(cgroup.path, ro);
  if (pids.length === 0) throw new UsageError(`the job has no process to move${cgroup ? ` (cgroup ${cgroup.path} is empty)` : ''}`);
  const to = nodesArg(opts.to, root);
  let from: NodeSet;
  if (opts.from !== undefined) from = nodesArg(opts.from, root);
  else if (cgroup !== undefined) from = cgroup.memsEffective;
  else from = jobNodes(pids.map((pid) => ({ pid })), ro).nodes;
  if (cgroup !== undefined && !sameNodes(from, cgroup.memsEffective)) {
    throw new UsageError(
      `a cgroup job moves its whole cpuset.mems (${formatNodeList(cgroup.memsEffective)} in ${cgroup.path}): leave --from out or give exactly those nodes, not ${formatNodeList(from)}`,
      { details: { cgroup: cgroup.path, mems: cgroup.memsEffective, from } },
    );
  }
  const nm = jobNodeMap(from, to);
  const withMemory = readMemoryNodes(ro).withMemory;
  const noMemory = nm.to.filter((n) => !withMemory.includes(n));
  if (noMemory.length > 0) throw new UsageError(`node${noMemory.length > 1 ? 's' : ''} ${formatNodeList(noMemory)} ha${noMemory.length > 1 ? 've' : 's'} no memory: a job's pages cannot go there`);
  const tables = cpuTables(cpuToNodeMap(ro));
  const warnings: string[] = [];
  const gone: number[] = [];
  const plans: MemberPlan[] = [];
  for (const pid of pids) {
    try {
      const p = planMember(pid, nm, tables, cgroup, root, warnings);
      if (p === undefined) gone.push(pid);
      else plans.push(p);
    } catch (e) {
      if (e instanceof ProcessGoneError) gone.push(pid);
      else throw e;
    }
  }
  if (plans.length === 0) throw new NumapolError('ESRCH', `every process of the job has exited (${pids.join(', ')})`);
  const ctx: MoveContext = { opts, nm, plans, gone, warnings, t0, cgroup };
  if (opts.dryRun) return dryRun(ctx);
  return cgroup !== undefined ? moveByCpuset(ctx, cgroup) : moveByPolicyAndAffinity(ctx);
}

interface MoveContext {
  readonly opts: MoveJobOptions;
  readonly nm: JobNodeMap;
  readonly plans: readonly MemberPlan[];
  readonly gone: number[];
  readonly warnings: string[];
  readonly t0: number;
  readonly cgroup: CgroupCpuset | undefined;
}

function remapFor(ctx: MoveContext, plan: MemberPlan): (p: Mempolicy) => Mempolicy {
  const cg = ctx.cgroup;
  const allowed = cg === undefined ? { memsBefore: plan.mems } : { memsBefore: cg.memsEffective, memsAfter: mapNodesOf(ctx.nm, cg.memsEffective) };
  return (p) => remapPolicy(p, ctx.nm.map, allowed);
}

function mapNodesOf(nm: JobNodeMap, nodes: NodeSet): NodeSet {
  return [...new Set(nodes.map((n) => nm.map.get(n) ?? n))].sort((a, b) => a - b);
}

function baseReport(ctx: MoveContext): Pick<JobMoveReport, 'from' | 'to' | 'map' | 'warnings'> {
  return { from: ctx.nm.from, to: ctx.nm.to, map: mapPairs(ctx.nm.map), warnings: ctx.warnings };
}

async function dryRun(ctx: MoveContext): Promise<JobMoveReport> {
  const { opts, nm } = ctx;
  const ro = opts.root === undefined ? {} : { root: opts.root };
  const shared: SharedObjects = new Map();
  const policies = new Map<number, MemberPolicyReport>();
  for (const p of ctx.plans) {
    try {
      policies.set(p.pid, remapProcessPolicies(p.pid, remapFor(ctx, p), { ...stopOpts(opts), dryRun: true, shared }).report);
    } catch (e) {
      if (!(e instanceof ProcessGoneError)) throw e;
    }
  }
  const pages = await moveJobPages(ctx.plans.map((p) => p.pid), nm, { ...ro, ...paceOf(opts), dryRun: true });
  const members: MemberMoveReport[] = ctx.plans.map((p) => {
    const pg = pages.members.find((m) => m.pid === p.pid)!;
    const pol = policies.get(p.pid);
    return {
      pid: p.pid,
      gone: pg.gone,
      affinity: p.affinity.map((t, i) => ({ tid: t.tid, before: t.cpus, after: p.newAffinity[i]!.cpus })),
      ...(pol === undefined ? {} : { policies: pol }),
      tally: pg.tally,
      flows: pg.flows,
      entries: pg.entries,
      sharedSkipped: pg.sharedSkipped,
      pagesBefore: pg.gone ? {} : pageTotals(p.pid, opts.root),
    };
  });
  const totals = jobTotals(pages.members);
  return {
    method: ctx.cgroup === undefined ? 'move_pages' : 'cpuset',
    dryRun: true,
    ...baseReport(ctx),
    ...(ctx.cgroup === undefined ? {} : { cgroup: cgroupPlan(ctx, ctx.cgroup) }),
    members,
    gone: [...ctx.gone, ...pages.members.filter((m) => m.gone).map((m) => m.pid)],
    tally: totals.tally,
    flows: totals.flows,
    notMoved: 0,
    shared: { pages: pages.survey.sharedPages, skippedMappings: pages.survey.skippedMappings, identity: pages.survey.identity },
    entries: emptyEntries(),
    bytesMoved: 0,
    batchPages: pages.batchPages,
    steps: 0,
    longestStepMs: 0,
    largestStepBytes: 0,
    sleptMs: 0,
    durationMs: performance.now() - ctx.t0,
  };
}

function cgroupPlan(ctx: MoveContext, cg: CgroupCpuset): NonNullable<JobMoveReport['cgroup']> {
  const t = cgroupTargets(ctx, cg);
  return { path: cg.path, cpus: { before: cg.cpus, after: t.cpus }, mems: { before: cg.mems, after: t.mems }, cpusWriteMs: 0, memsWriteMs: 0 };
}

/** The cgroup's new cpuset: its CPUs and nodes remapped as a thread's would be. */
function cgroupTargets(ctx: MoveContext, cg: CgroupCpuset): { cpus: string; mems: string } {
  const tables = cpuTables(cpuToNodeMap(ctx.opts.root === undefined ? {} : { root: ctx.opts.root }));
  const cpus = remapCpus(cg.cpusEffective, ctx.nm.map, tables.nodeCpus, tables.cpuNode).cpus;
  return { cpus: formatRanges(cpus), mems: formatRanges(mapNodesOf(ctx.nm, cg.memsEffective)) };
}

function paceOf(opts: MoveJobOptions): { rateBytesPerSecond?: number; batchPages?: number } {
  return {
    ...(opts.rateBytesPerSecond === undefined ? {} : { rateBytesPerSecond: opts.rateBytesPerSecond }),
    ...(opts.batchPages === undefined ? {} : { batchPages: opts.batchPages }),
  };
}

function stopOpts(opts: MoveJobOptions): { root?: string; seccomp?: MoveJobOptions['seccomp']; stopTimeoutMs?: number } {
  return {
    ...(opts.root === undefined ? {} : { root: opts.root }),
    ...(opts.seccomp === undefined ? {} : { seccomp: opts.seccomp }),
    ...(opts.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: opts.stopTimeoutMs }),
  };
}

/** Records what undo needs of each member: its affinity and the node of every page about to move. */
function recordMembers(ctx: MoveContext): MemberBefore[] {
  const sources = [...ctx.nm.map.keys()];
  const out: MemberBefore[] = [];
  for (const p of ctx.plans) {
    try {
      const placement = recordPagePlacement(p.pid, { ...(ctx.opts.root === undefined ? {} : { root: ctx.opts.root }), nodes: sources });
      out.push({ pid: p.pid, ...(p.start === undefined ? {} : { start: p.start }), affinity: p.affinity, placement });
    } catch (e) {
      if (e instanceof ProcessGoneError) ctx.gone.push(p.pid);
      else throw e;
    }
  }
  return out;
}

/** Puts back what a failed move changed, then throws the failure with what was put back. */
async function failAfter(ctx: MoveContext, before: JobMoveBefore, e: unknown): Promise<never> {
  let note: string;
  try {
    const u = await undoJobMove(before, { ...stopOpts(ctx.opts), ...paceOf(ctx.opts) });
    note = `; what had changed was put back (${u.tally.moved} pages moved back${u.failures.length > 0 ? `; not restored: ${u.failures.join('; ')}` : ''})`;
  } catch (u) {
    note = `; putting the job back failed too: ${u instanceof Error ? u.message : String(u)}`;
  }
  const msg = e instanceof Error ? e.message : String(e);
  throw new NumapolError(e instanceof NumapolError ? e.code : 'EFAILED', `moving the job failed: ${msg}${note}`, {
    cause: e,
    ...(e instanceof NumapolError && e.usage ? { usage: true } : {}),
    details: { ...(e instanceof NumapolError ? e.details : {}) },
  });
}

async function moveByPolicyAndAffinity(ctx: MoveContext): Promise<JobMoveReport> {
  const { opts, nm } = ctx;
  const root = opts.root;
  const ro = root === undefined ? {} : { root };
  const recorded = recordMembers(ctx);
  const befores = new Map(recorded.map((m) => [m.pid, m] as const));
  const pagesBefore = new Map(recorded.map((m) => [m.pid, pageTotals(m.pid, root)] as const));
  const jobBefore = (): JobMoveBefore => ({ from: nm.from, to: nm.to, map: mapPairs(nm.map), members: [...befores.values()] });
  const shared: SharedObjects = new Map();
  const policyReports = new Map<number, MemberPolicyReport>();
  const affinityReports = new Map<number, MemberMoveReport['affinity']>();
  const live = ctx.plans.filter((p) => befores.has(p.pid));
  try {
    for (const p of live) {
      try {
        const r = remapProcessPolicies(p.pid, remapFor(ctx, p), { ...stopOpts(opts), shared });
        befores.set(p.pid, { ...befores.get(p.pid)!, policies: r.before });
        policyReports.set(p.pid, r.report);
      } catch (e) {
        if (!(e instanceof ProcessGoneError)) throw e;
        ctx.gone.push(p.pid);
      }
    }
    for (const p of live) {
      if (ctx.gone.includes(p.pid)) continue;
      try {
        const r = restoreProcessAffinity(p.pid, p.newAffinity, ro);
        affinityReports.set(p.pid, r.threads);
      } catch (e) {
        if (!(e instanceof ProcessGoneError)) throw e;
        ctx.gone.push(p.pid);
      }
    }
  } catch (e) {
    return failAfter(ctx, jobBefore(), e);
  }
  const pids = live.filter((p) => !ctx.gone.includes(p.pid)).map((p) => p.pid);
  let pages: Awaited<ReturnType<typeof moveJobPages>>;
  try {
    pages = await moveJobPages(pids, nm, {
      ...ro,
      ...paceOf(opts),
      ...(opts.moveShared === undefined ? {} : { moveShared: opts.moveShared }),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.onMoveCall ? { onMoveCall: opts.onMoveCall } : {}),
    });
  } catch (e) {
    return failAfter(ctx, jobBefore(), e);
  }
  const members: MemberMoveReport[] = [];
  for (const p of live) {
    const pg = pages.members.find((m) => m.pid === p.pid);
    const isGone = ctx.gone.includes(p.pid) || pg === undefined || pg.gone;
    let after: Record<number, number> | undefined;
    if (!isGone) {
      try {
        after = pageTotals(p.pid, root);
      } catch {
        // exited just now
      }
    }
    const pol = policyReports.get(p.pid);
    ctx.warnings.push(...weightWarnings(p.pid, pol, nm, root));
    members.push({
      pid: p.pid,
      gone: isGone,
      affinity: affinityReports.get(p.pid) ?? [],
      ...(pol === undefined ? {} : { policies: pol }),
      tally: pg?.tally ?? emptyTally(),
      flows: pg?.flows ?? [],
      entries: pg?.entries ?? emptyEntries(),
      sharedSkipped: pg?.sharedSkipped ?? 0,
      pagesBefore: pagesBefore.get(p.pid) ?? {},
      ...(after === undefined ? {} : { pagesAfter: after }),
    });
  }
  if (pages.survey.identity === 'file') {
    ctx.warnings.push('page frame numbers are hidden (not root): pages shared copy-on-write after fork could not be recognised, and each member that maps one tries to move it');
  }
  const totals = jobTotals(pages.members);
  const entries = emptyEntries();
  for (const m of members) addEntries(entries, m.entries);
  return {
    method: 'move_pages',
    dryRun: false,
    ...baseReport(ctx),
    members,
    gone: [...new Set(ctx.gone)],
    tally: totals.tally,
    flows: totals.flows,
    notMoved: failedPages(totals.tally),
    shared: { pages: pages.survey.sharedPages, skippedMappings: pages.survey.skippedMappings, identity: pages.survey.identity },
    entries,
    bytesMoved: pages.members.reduce((s, m) => s + m.bytesMoved, 0),
    batchPages: pages.batchPages,
    steps: pages.pace.steps,
    longestStepMs: pages.pace.longestStepMs,
    largestStepBytes: pages.pace.largestStepBytes,
    sleptMs: pages.pace.sleptMs,
    durationMs: performance.now() - ctx.t0,
    before: jobBefore(),
  };
}

async function moveByCpuset(ctx: MoveContext, cg: CgroupCpuset): Promise<JobMoveReport> {
  const { opts, nm } = ctx;
  const root = opts.root;
  const ro = root === undefined ? {} : { root };
  const recorded = recordMembers(ctx);
  const befores = new Map(recorded.map((m) => [m.pid, m] as const));
  const pagesBefore = new Map(recorded.map((m) => [m.pid, pageTotals(m.pid, root)] as const));
  const live = ctx.plans.filter((p) => befores.has(p.pid));
  // The policies before, exactly: after the mems write the kernel has rebound most of them.
  const shared: SharedObjects = new Map();
  for (const p of live) {
    try {
      befores.set(p.pid, { ...befores.get(p.pid)!, policies: readProcessPolicies(p.pid, { ...stopOpts(opts), shared }) });
    } catch (e) {
      if (!(e instanceof ProcessGoneError)) throw e;
      ctx.gone.push(p.pid);
    }
  }
  // What is shared, for the report and to count each page once (the kernel moves it once per mm
  // that maps it, the later ones finding it already moved).
  const ps = pageSize();
  const survey = surveySharedPages(
    live.filter((p) => !ctx.gone.includes(p.pid)).map((p) => {
      let segments: ReturnType<typeof segmentsToMove> = [];
      try {
        segments = segmentsToMove(targetVmas(p.pid, root), nm.map);
      } catch {
        // gone: nothing of it to survey
      }
      return { pid: p.pid, segments };
    }),
    ps,
    root,
  );
  const jobBefore: JobMoveBefore = {
    from: nm.from,
    to: nm.to,
    map: mapPairs(nm.map),
    cgroup: { path: cg.path, cpus: cg.cpus, mems: cg.mems },
    members: [...befores.values()],
  };
  const targets = cgroupTargets(ctx, cg);
  let cpusWriteMs: number;
  let memsWriteMs: number;
  try {
    cpusWriteMs = writeCpusetFile(cg, 'cpuset.cpus', targets.cpus);
    memsWriteMs = writeCpusetFile(cg, 'cpuset.mems', targets.mems);
    const now = readCgroupCpuset(cg.path, ro);
    if (formatRanges(now.memsEffective) !== targets.mems) {
      throw new NumapolError('ECPUSET', `cgroup ${cg.path} got nodes ${formatRanges(now.memsEffective)}, not ${targets.mems}: its parent does not allow them`, {
        details: { cgroup: cg.path, wanted: targets.mems, effective: now.memsEffective },
      });
    }
  } catch (e) {
    return failAfter(ctx, jobBefore, e);
  }
  const policyReports = new Map<number, MemberPolicyReport>();
  const restored = new Set<string>();
  const affinityReports = new Map<number, MemberMoveReport['affinity']>();
  for (const p of live) {
    if (ctx.gone.includes(p.pid)) continue;
    const b = befores.get(p.pid)!.policies;
    try {
      if (b !== undefined) {
        const want = mapRecords(b, remapFor(ctx, p));
        if (!allDefault(want)) {
          const r = applyProcessPolicies(p.pid, want, { ...stopOpts(opts), restored });
          for (const x of [...r.threads, ...r.vmas]) if (!x.ok) ctx.warnings.push(`pid ${p.pid}: could not set ${x.policy}: ${x.error ?? ''}`);
        }
        policyReports.set(p.pid, policyChanges(b, want));
      }
      affinityReports.set(p.pid, restoreProcessAffinity(p.pid, p.newAffinity, ro).threads);
    } catch (e) {
      if (!(e instanceof ProcessGoneError)) throw e;
      ctx.gone.push(p.pid);
    }
  }
  const members: MemberMoveReport[] = [];
  const flows: Flow[] = [];
  for (const p of live) {
    const b = befores.get(p.pid)!;
    let outcome: ReturnType<typeof placementOutcome> | undefined;
    let after: Record<number, number> | undefined;
    try {
      outcome = placementOutcome(p.pid, b.placement, nm.map, survey.skip.get(p.pid));
      after = pageTotals(p.pid, root);
    } catch (e) {
      if (!(e instanceof ProcessGoneError)) throw e;
      ctx.gone.push(p.pid);
    }
    if (outcome !== undefined) flows.push(...outcome.flows);
    const pol = policyReports.get(p.pid);
    ctx.warnings.push(...weightWarnings(p.pid, pol, nm, root));
    members.push({
      pid: p.pid,
      gone: ctx.gone.includes(p.pid),
      affinity: affinityReports.get(p.pid) ?? [],
      ...(pol === undefined ? {} : { policies: pol }),
      tally: outcome?.tally ?? emptyTally(),
      flows: outcome?.flows ?? [],
      entries: emptyEntries(),
      sharedSkipped: survey.skip.get(p.pid)?.size ?? 0,
      pagesBefore: pagesBefore.get(p.pid) ?? {},
      ...(after === undefined ? {} : { pagesAfter: after }),
    });
  }
  const totals = jobTotals(members);
  const bytesMoved = totals.flows.reduce((s, f) => s + f.bytes, 0);
  return {
    method: 'cpuset',
    dryRun: false,
    ...baseReport(ctx),
    cgroup: { path: cg.path, cpus: { before: cg.cpus, after: targets.cpus }, mems: { before: cg.mems, after: targets.mems }, cpusWriteMs, memsWriteMs },
    members,
    gone: [...new Set(ctx.gone)],
    tally: totals.tally,
    flows: totals.flows,
    notMoved: failedPages(totals.tally),
    shared: { pages: survey.sharedPages, skippedMappings: survey.skippedMappings, identity: survey.identity },
    entries: emptyEntries(),
    bytesMoved,
    batchPages: 0,
    steps: 1,
    longestStepMs: memsWriteMs,
    largestStepBytes: bytesMoved,
    sleptMs: 0,
    durationMs: performance.now() - ctx.t0,
    before: jobBefore,
  };
}

/** Before/after pairs of records mapped one to one (mapRecords keeps the order). */
function policyChanges(before: ProcessPolicies, after: ProcessPolicies): MemberPolicyReport {
  return {
    threads: before.threads.map((t, i) => ({ tid: t.tid, before: t.policy, after: after.threads[i]!.policy })),
    vmas: before.vmas.map((v, i) => ({ start: v.start, end: v.end, mapping: v.mapping, before: v.policy, after: after.vmas[i]!.policy, ...(v.object === undefined ? {} : { object: v.object }) })),
  };
}
