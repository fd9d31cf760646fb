/**
 * Runs one action through ops/ and returns what the journal keeps: the state before (for undo),
 * the ops report, and the outcome. Never throws for the action's own failures: a process that
 * exits mid-action is the outcome `gone`, anything else `failed` with the error's message.
 */
import {
  migrateProcess,
  processAffinity,
  recordPagePlacement,
  setProcessAffinity,
  setProcessPolicy,
  setRangePolicy,
  shmPolicy,
  userNodes,
  parseCpuList,
  DEFAULT_BATCH_PAGES,
  hardware,
  moveJob,
  type JobMoveReport,
  type PagePlacement,
} from '../../ops/index.js';
import type { Action, Outcome } from './action.js';
import type { Before } from './before.js';
import { failureOf } from './outcome.js';
import { vmaFilterOf } from './vma-kinds.js';

export interface ActionContext {
  readonly root?: string;
  /** The global page-move budget (config `migrate-rate`), bytes/s; a rule's own rate may be lower. */
  readonly migrateRate?: number;
}

export interface ActionRun {
  readonly outcome: Outcome;
  readonly before: Before | null;
  readonly result: unknown;
  readonly code: string | null;
  readonly error: string | null;
}

/** The rate a move runs at: the lower of the rule's and the global budget. */
export function effectiveRate(rule: number | undefined, global: number | undefined): number | undefined {
  if (rule === undefined) return global;
  if (global === undefined) return rule;
  return Math.min(rule, global);
}

export async function runAction(pid: number, a: Action, ctx: ActionContext = {}): Promise<ActionRun> {
  const ro = ctx.root === undefined ? {} : { root: ctx.root };
  let before: Before | null = null;
  try {
    switch (a.kind) {
      case 'policy': {
        const r = setProcessPolicy(pid, a.policy, { ...ro, ...(a.threads === undefined ? {} : { threads: a.threads }) });
        before = { threads: r.threads.map((t) => ({ tid: t.tid, policy: t.before })) };
        return done('ok', before, r);
      }
      case 'vma-policy': {
        const filter = vmaFilterOf(a.vma);
        let placement: PagePlacement | undefined;
        if (a.move) {
          placement = recordPagePlacement(pid, { ...ro, filter });
          before = { ranges: [], placement };
        }
        const r = setRangePolicy(pid, a.policy, { filter }, { ...ro, move: a.move });
        before = { ranges: r.ranges.map((x) => ({ start: x.start, end: x.end, policy: x.before })), ...(placement ? { placement } : {}) };
        return done('ok', before, r);
      }
      case 'cpus': {
        const saved = processAffinity(pid, ro);
        before = { threads: saved };
        const spec = a.nodes !== undefined ? { cpuNodes: userNodes(a.nodes, { ...ro, pid }) } : { cpus: parseCpuList(a.cpus ?? '') };
        return done('ok', before, setProcessAffinity(pid, spec, ro));
      }
      case 'migrate': {
        const from = userNodes(a.from, { ...ro, pid, ignoreCpuset: true });
        before = { placement: recordPagePlacement(pid, { ...ro, nodes: from }) };
        const rate = effectiveRate(a.rateBytesPerSecond, ctx.migrateRate);
        // Always paced: one migrate_pages call would hold the target (and the daemon) for the
        // whole move. Without any rate, steps of the default batch.
        const r = await migrateProcess(pid, a.from, a.to, { ...ro, ...(rate === undefined ? { batchPages: DEFAULT_BATCH_PAGES } : { rateBytesPerSecond: rate }) });
        return done(r.notMoved > 0 ? 'partial' : 'ok', before, r);
      }
      case 'place': {
        const to = userNodes(a.nodes, { ...ro, pid, ignoreCpuset: true });
        const saved = processAffinity(pid, ro);
        // Pages on any node outside the set go to it (the k-th such node to the k-th of the set).
        const hw = hardware(ro);
        const elsewhere = hw.online.filter((n) => !to.includes(n));
        const placement = recordPagePlacement(pid, { ...ro, nodes: elsewhere });
        before = { threads: saved, placement };
        // The CPUs the placement chose, else every CPU of the set's nodes that have CPUs.
        const cpus = setProcessAffinity(pid, a.cpus !== undefined ? { cpus: parseCpuList(a.cpus) } : { cpuNodes: to.filter((n) => hw.withCpu.includes(n)) }, ro);
        const from = Object.keys(placement.pagesPerNode).map(Number);
        const rate = effectiveRate(undefined, ctx.migrateRate);
        const pages = from.length === 0 ? undefined : await migrateProcess(pid, from, spread(from, to), { ...ro, ...(rate === undefined ? { batchPages: DEFAULT_BATCH_PAGES } : { rateBytesPerSecond: rate }) });
        return done(pages !== undefined && pages.notMoved > 0 ? 'partial' : 'ok', before, { nodes: to, reason: a.reason ?? null, cpus, pages: pages ?? null, ...(pages ? { flows: pages.flows, tally: pages.tally } : {}) });
      }
      case 'job-move': {
        const rate = effectiveRate(undefined, ctx.migrateRate);
        const r = await moveJob(
          a.members.map((m) => ({ pid: m.pid })),
          { ...ro, to: a.to, ...(a.from === undefined ? {} : { from: a.from }), ...(a.cgroup === undefined ? {} : { cgroup: a.cgroup }), ...(rate === undefined ? { batchPages: DEFAULT_BATCH_PAGES } : { rateBytesPerSecond: rate }) },
        );
        before = r.before ?? null;
        const outcome: Outcome = r.notMoved > 0 || r.gone.length > 0 ? 'partial' : 'ok';
        return before === null ? { outcome, before, result: jobMoveSummary(r), code: null, error: null } : done(outcome, before, jobMoveSummary(r));
      }
      case 'shm-policy': {
        const target = { ...(a.file !== undefined ? { file: a.file } : {}), ...(a.shmKey !== undefined ? { shmKey: a.shmKey } : {}), ...(a.shmid !== undefined ? { shmid: a.shmid } : {}) };
        const now = shmPolicy({ ...ro, ...target });
        before = { policy: now.policy, pagesPerNode: now.pagesPerNode };
        return done('ok', before, shmPolicy({ ...ro, ...target, policy: a.policy }));
      }
    }
  } catch (e) {
    const f = failureOf(e);
    return { outcome: f.outcome, before, result: null, code: f.code, error: f.error };
  }
}

/**
 * What the journal keeps of a job move: the totals and each member's tally, not the shared-page
 * survey or the per-call counters (the report's `before` is kept apart, for undo).
 */
function jobMoveSummary(r: JobMoveReport): unknown {
  return {
    method: r.method,
    from: r.from,
    to: r.to,
    map: r.map,
    ...(r.cgroup ? { cgroup: r.cgroup } : {}),
    members: r.members.map((m) => ({ pid: m.pid, gone: m.gone, tally: m.tally, pagesBefore: m.pagesBefore, ...(m.pagesAfter ? { pagesAfter: m.pagesAfter } : {}) })),
    gone: r.gone,
    tally: r.tally,
    flows: r.flows,
    notMoved: r.notMoved,
    sharedPages: r.shared.pages,
    moveCalls: r.entries.calls,
    bytesMoved: r.bytesMoved,
    steps: r.steps,
    longestStepMs: r.longestStepMs,
    durationMs: r.durationMs,
    warnings: r.warnings,
  };
}

/** Destinations for `from`: as many of `to` as there are sources, each source to one, in order. */
function spread(from: readonly number[], to: readonly number[]): number[] {
  return from.map((_, i) => to[i % to.length]!);
}

function done(outcome: Outcome, before: Before, result: unknown): ActionRun {
  return { outcome, before, result, code: null, error: null };
}
