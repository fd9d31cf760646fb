/**
 * Putting a moved job back from what moveJob recorded: a cgroup's cpuset files as they were
 * (cpus, then mems: the kernel moves the pages back with its relative placement), then per
 * member its thread and VMA policies exactly, each thread's affinity exactly, and every recorded
 * page to the node it was on, paced (restorePagePlacement), as far as the kernel allows: a page
 * freed since, busy, or whose node is full is counted, not hidden. A page several members map is
 * moved back by the first of them; the others find it there already.
 */
import { performance } from 'node:perf_hooks';
import { ProcessGoneError } from '../../errors.js';
import { restoreProcessAffinity, type AffinityReport } from '../cpus/process-affinity.js';
import { failedPages, type Flow, type PageTally } from '../move-pages.js';
import type { OpsOptions } from '../options.js';
import type { PaceOptions } from '../pace.js';
import { restorePagePlacement, type RestoreReport } from '../placement/page-placement.js';
import { processStart } from '../read/process-facts.js';
import type { StopProcessOptions } from '../set-policy.js';
import { readCgroupCpuset, writeCpusetFile } from './cgroup-cpuset.js';
import { jobTotals } from './job-pages.js';
import { allDefault, applyProcessPolicies, type ApplyPoliciesReport } from './job-policies.js';
import type { JobMoveBefore } from './job-types.js';

export interface UndoJobOptions extends OpsOptions, PaceOptions, Omit<StopProcessOptions, 'dryRun'> {
  /** Move pages other processes map too (default: when root). */
  readonly moveShared?: boolean;
}

export interface MemberUndoReport {
  readonly pid: number;
  readonly gone: boolean;
  /** Why nothing was done for it (gone, or the pid now names another process). */
  readonly reason?: string;
  readonly policies?: ApplyPoliciesReport;
  readonly affinity?: AffinityReport['threads'];
  readonly pages?: RestoreReport;
}

export interface JobUndoReport {
  readonly cgroup?: { path: string; cpus: string; mems: string; cpusWriteMs: number; memsWriteMs: number };
  readonly members: readonly MemberUndoReport[];
  /** Pages of all members: moved back, already back, and why the rest stayed. */
  readonly tally: PageTally;
  readonly flows: readonly Flow[];
  /** Pages that should have gone back and did not. */
  readonly notRestored: number;
  /** What could not be put back, in words. */
  readonly failures: readonly string[];
  readonly durationMs: number;
}

/** Puts a job back as `before` recorded it; see the module comment. */
export async function undoJobMove(before: JobMoveBefore, opts: UndoJobOptions = {}): Promise<JobUndoReport> {
  const t0 = performance.now();
  const ro = opts.root === undefined ? {} : { root: opts.root };
  const stop = {
    ...ro,
    ...(opts.seccomp === undefined ? {} : { seccomp: opts.seccomp }),
    ...(opts.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: opts.stopTimeoutMs }),
  };
  const failures: string[] = [];
  let cgroup: JobUndoReport['cgroup'];
  if (before.cgroup !== undefined) {
    const b = before.cgroup;
    try {
      const cg = readCgroupCpuset(b.path, ro);
      // CPUs first, as on the way out; the mems write moves the pages back inside it.
      const cpusWriteMs = writeCpusetFile(cg, 'cpuset.cpus', b.cpus);
      const memsWriteMs = writeCpusetFile(cg, 'cpuset.mems', b.mems);
      cgroup = { path: b.path, cpus: b.cpus, mems: b.mems, cpusWriteMs, memsWriteMs };
    } catch (e) {
      failures.push(`cgroup ${b.path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const restored = new Set<string>();
  const members: MemberUndoReport[] = [];
  for (const m of before.members) {
    if (m.start !== undefined) {
      const now = processStart(m.pid, ro);
      if (now === undefined || now !== m.start) {
        members.push({ pid: m.pid, gone: true, reason: now === undefined ? 'exited' : 'the pid now names another process' });
        continue;
      }
    }
    const r: { -readonly [K in keyof MemberUndoReport]: MemberUndoReport[K] } = { pid: m.pid, gone: false };
    try {
      if (m.policies !== undefined && !allDefault(m.policies)) {
        r.policies = applyProcessPolicies(m.pid, m.policies, { ...stop, restored });
        for (const x of [...r.policies.threads, ...r.policies.vmas]) if (!x.ok) failures.push(`pid ${m.pid}: policy ${x.policy}: ${x.error ?? ''}`);
      }
      if (m.affinity.length > 0) r.affinity = restoreProcessAffinity(m.pid, m.affinity, ro).threads;
      r.pages = await restorePagePlacement(m.pid, m.placement, {
        ...ro,
        ...(opts.rateBytesPerSecond === undefined ? {} : { rateBytesPerSecond: opts.rateBytesPerSecond }),
        ...(opts.batchPages === undefined ? {} : { batchPages: opts.batchPages }),
        ...(opts.moveShared === undefined ? {} : { moveShared: opts.moveShared }),
      });
    } catch (e) {
      if (e instanceof ProcessGoneError) {
        r.gone = true;
        r.reason = 'exited';
      } else failures.push(`pid ${m.pid}: ${e instanceof Error ? e.message : String(e)}`);
    }
    members.push(r);
  }
  const totals = jobTotals(members.filter((m) => m.pages !== undefined).map((m) => ({ tally: m.pages!.tally, flows: m.pages!.flows })));
  return {
    ...(cgroup === undefined ? {} : { cgroup }),
    members,
    tally: totals.tally,
    flows: totals.flows,
    notRestored: failedPages(totals.tally),
    failures,
    durationMs: performance.now() - t0,
  };
}
