/**
 * Puts back what an action changed, from its journaled state before. Policies come back exactly
 * (threads born since the action inherited the new policy: they get the main thread's old one);
 * pages go back to the node each was on as far as the kernel allows, and the report counts the
 * pages that stayed and why.
 */
import { failedPages, undoJobMove, restorePagePlacement, restoreProcessAffinity, setProcessPolicy, setRangePolicy, shmPolicy, threadIds, parseAddressRange, type RestoreReport } from '../../ops/index.js';
import type { Action, Outcome } from './action.js';
import type { Before, CpusBefore, JobMoveBefore, MigrateBefore, PlaceBefore, PolicyBefore, ShmBefore, VmaPolicyBefore } from './before.js';
import { effectiveRate, type ActionContext } from './execute.js';
import { failureOf } from './outcome.js';

export interface UndoRun {
  readonly outcome: Outcome;
  readonly result: unknown;
  readonly code: string | null;
  readonly error: string | null;
}

export async function undoAction(pid: number, a: Action, before: Before, ctx: ActionContext = {}): Promise<UndoRun> {
  const ro = ctx.root === undefined ? {} : { root: ctx.root };
  try {
    switch (a.kind) {
      case 'policy': {
        const b = before as PolicyBefore;
        const live = threadIds(pid, ro);
        const main = b.threads.find((t) => t.tid === pid)?.policy ?? b.threads[0]?.policy ?? 'default';
        const groups = new Map<string, number[]>();
        for (const tid of live) {
          const p = b.threads.find((t) => t.tid === tid)?.policy ?? main;
          groups.set(p, [...(groups.get(p) ?? []), tid]);
        }
        const reports = [...groups].map(([policy, tids]) => setProcessPolicy(pid, policy, { ...ro, threads: tids }));
        return { outcome: 'ok', result: { threads: reports.flatMap((r) => r.threads) }, code: null, error: null };
      }
      case 'vma-policy': {
        const b = before as VmaPolicyBefore;
        const ranges = [];
        const missing: string[] = [];
        for (const r of b.ranges) {
          try {
            ranges.push(...setRangePolicy(pid, r.policy, { range: parseAddressRange(`${r.start}-${r.end}`) }, ro).ranges);
          } catch (e) {
            if (failureOf(e).outcome === 'gone') throw e;
            missing.push(`${r.start}-${r.end}`);
          }
        }
        const pages = b.placement ? await restorePagePlacement(pid, b.placement, { ...ro, ...rateOf(ctx) }) : undefined;
        const partial = missing.length > 0 || (pages !== undefined && stayed(pages) > 0);
        return { outcome: partial ? 'partial' : 'ok', result: { ranges, missing, ...(pages ? { pages } : {}) }, code: null, error: null };
      }
      case 'cpus':
        return { outcome: 'ok', result: restoreProcessAffinity(pid, (before as CpusBefore).threads, ro), code: null, error: null };
      case 'migrate': {
        const pages = await restorePagePlacement(pid, (before as MigrateBefore).placement, { ...ro, ...rateOf(ctx, a.rateBytesPerSecond) });
        return { outcome: stayed(pages) > 0 ? 'partial' : 'ok', result: pages, code: null, error: null };
      }
      case 'place': {
        const b = before as PlaceBefore;
        const cpus = restoreProcessAffinity(pid, b.threads, ro);
        const pages = await restorePagePlacement(pid, b.placement, { ...ro, ...rateOf(ctx) });
        return { outcome: stayed(pages) > 0 ? 'partial' : 'ok', result: { cpus, pages, flows: pages.flows, tally: pages.tally }, code: null, error: null };
      }
      case 'job-move': {
        const r = await undoJobMove(before as JobMoveBefore, { ...ro, ...rateOf(ctx) });
        return { outcome: r.notRestored > 0 || r.failures.length > 0 ? 'partial' : 'ok', result: r, code: null, error: null };
      }
      case 'shm-policy': {
        const b = before as ShmBefore;
        const target = { ...(a.file !== undefined ? { file: a.file } : {}), ...(a.shmKey !== undefined ? { shmKey: a.shmKey } : {}), ...(a.shmid !== undefined ? { shmid: a.shmid } : {}) };
        const reports = b.policy.map((run) => shmPolicy({ ...ro, ...target, policy: run.policy, offset: BigInt(run.offset), length: BigInt(run.length) }));
        return { outcome: 'ok', result: reports.at(-1) ?? null, code: null, error: null };
      }
    }
  } catch (e) {
    const f = failureOf(e);
    return { outcome: f.outcome, result: null, code: f.code, error: f.error };
  }
}

function rateOf(ctx: ActionContext, rule?: number): { rateBytesPerSecond?: number } {
  const r = effectiveRate(rule, ctx.migrateRate);
  return r === undefined ? {} : { rateBytesPerSecond: r };
}

/** Pages that should have gone back and did not (gone pages and unmapped ones are not failures of the undo). */
export function stayed(r: RestoreReport): number {
  return failedPages(r.tally);
}
