/**
 * The pages of a job, moved by the paced engine (move-pages.ts) member after member: one pacer
 * for the whole job (the rate is the job's, not each member's), and each page that several
 * members map handed to move_pages once, by its owner (shared-pages.ts). Every move_pages entry
 * is counted, by kind and by mapping, so a test can check that each shared page moved once.
 */
import { ProcessGoneError } from '../../errors.js';
import { pageSize } from '../../kernel/index.js';
import type { Vma } from '../../procfs/vmas.js';
import { isMovableVma, type Segment } from '../address-range.js';
import { moveFlags } from '../move.js';
import { addTally, emptyTally, movePagesPaced, processError, targetVmas, type Flow, type PageTally } from '../move-pages.js';
import { Pacer, batchPagesFor, checkPaceOptions, type PaceOptions, type PaceStats } from '../pace.js';
import { mappingName } from '../set-range-policy.js';
import type { JobProgress, MoveEntries } from './job-types.js';
import type { JobNodeMap } from './node-map.js';
import { surveySharedPages, type SharedSurvey } from './shared-pages.js';

export interface JobPagesOptions extends PaceOptions {
  readonly root?: string;
  readonly moveShared?: boolean;
  readonly dryRun?: boolean;
  readonly onProgress?: (p: JobProgress) => void;
  readonly onMoveCall?: (pid: number, addrs: BigUint64Array, dest: Int32Array, retry: boolean) => void;
}

export interface MemberPages {
  readonly pid: number;
  readonly gone: boolean;
  readonly tally: PageTally;
  readonly flows: readonly Flow[];
  readonly entries: MoveEntries;
  readonly sharedSkipped: number;
  readonly bytesMoved: number;
}

export interface JobPagesResult {
  readonly members: readonly MemberPages[];
  readonly survey: SharedSurvey;
  readonly pace: PaceStats;
  readonly batchPages: number;
}

export function emptyEntries(): MoveEntries {
  return { calls: 0, entries: 0, retryEntries: 0, byKind: { private: 0, shared: 0 }, byMapping: {} };
}

export function addEntries(a: MoveEntries, b: MoveEntries): void {
  a.calls += b.calls;
  a.entries += b.entries;
  a.retryEntries += b.retryEntries;
  a.byKind.private += b.byKind.private;
  a.byKind.shared += b.byKind.shared;
  for (const [k, v] of Object.entries(b.byMapping)) a.byMapping[k] = (a.byMapping[k] ?? 0) + v;
}

/** The movable VMAs of a process that hold pages on a node the map moves. */
export function segmentsToMove(vmas: readonly Vma[], map: ReadonlyMap<number, number>): Segment[] {
  return vmas
    .filter((v) => isMovableVma(v) && Object.entries(v.pagesPerNode).some(([n, p]) => p > 0 && map.has(Number(n))))
    .map((v) => ({ start: v.start, end: v.end, vma: v }));
}

/** The segment holding `addr` (segments ascending and disjoint), by bisection. */
function segmentAt(segs: readonly Segment[], addr: bigint): Segment | undefined {
  let lo = 0;
  let hi = segs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = segs[mid]!;
    if (addr < s.start) hi = mid - 1;
    else if (addr >= s.end) lo = mid + 1;
    else return s;
  }
  return undefined;
}

/** Moves every member's pages on a source node to its partner (see the module comment). */
export async function moveJobPages(pids: readonly number[], nm: JobNodeMap, opts: JobPagesOptions = {}): Promise<JobPagesResult> {
  checkPaceOptions(opts);
  const ps = pageSize();
  const psn = BigInt(ps);
  const pace: PaceOptions = {
    ...(opts.batchPages === undefined ? {} : { batchPages: opts.batchPages }),
    ...(opts.rateBytesPerSecond === undefined ? {} : { rateBytesPerSecond: opts.rateBytesPerSecond }),
  };
  const pacer = new Pacer(pace);
  const from = new Set(nm.from);
  const destOf = (n: number): number | undefined => nm.map.get(n) ?? (from.has(n) ? n : undefined);
  const flags = moveFlags(opts.moveShared);
  // Segments are read once, before anything moves: the survey and the moves must see the same.
  const members: { pid: number; segs: Segment[] | undefined }[] = pids.map((pid) => {
    try {
      return { pid, segs: segmentsToMove(targetVmas(pid, opts.root), nm.map) };
    } catch (e) {
      if (e instanceof ProcessGoneError) return { pid, segs: undefined };
      throw e;
    }
  });
  const survey = surveySharedPages(
    members.filter((m) => m.segs !== undefined).map((m) => ({ pid: m.pid, segments: m.segs! })),
    ps,
    opts.root,
  );
  const out: MemberPages[] = [];
  for (let k = 0; k < members.length; k++) {
    const { pid, segs } = members[k]!;
    const entries = emptyEntries();
    const skipSet = survey.skip.get(pid);
    const owned = survey.owned.get(pid);
    if (segs === undefined) {
      out.push({ pid, gone: true, tally: emptyTally(), flows: [], entries, sharedSkipped: 0, bytesMoved: 0 });
      continue;
    }
    const onMoveCall = (addrs: BigUint64Array, dest: Int32Array, retry: boolean): void => {
      opts.onMoveCall?.(pid, addrs, dest, retry);
      entries.calls++;
      if (retry) {
        entries.retryEntries += addrs.length;
        return;
      }
      entries.entries += addrs.length;
      for (const a of addrs) {
        if (owned !== undefined && owned.has(Number(a / psn))) entries.byKind.shared++;
        else entries.byKind.private++;
        const s = segmentAt(segs, a);
        const name = s === undefined ? '?' : mappingName(s);
        entries.byMapping[name] = (entries.byMapping[name] ?? 0) + 1;
      }
    };
    let sharedSkipped = 0;
    const skip = skipSet === undefined || skipSet.size === 0
      ? undefined
      : (a: bigint, pages: number): boolean => {
          if (!skipSet.has(Number(a / psn))) return false;
          sharedSkipped += pages;
          return true;
        };
    try {
      const r = await movePagesPaced(pid, segs, destOf, ps, {
        flags,
        pacer,
        ...pace,
        onMoveCall,
        ...(skip === undefined ? {} : { skip }),
        ...(opts.dryRun ? { dryRun: true } : {}),
        ...(opts.onProgress ? { onProgress: (p) => opts.onProgress!({ ...p, pid, member: k, members: members.length }) } : {}),
      });
      out.push({ pid, gone: false, tally: r.tally, flows: r.flows, entries, sharedSkipped, bytesMoved: r.bytesMoved });
    } catch (e) {
      const err = processError(e, pid);
      if (!(err instanceof ProcessGoneError)) throw err;
      out.push({ pid, gone: true, tally: emptyTally(), flows: [], entries, sharedSkipped, bytesMoved: 0 });
    }
  }
  return { members: out, survey, pace: pacer.stats(), batchPages: batchPagesFor(pace, ps) };
}

/** Sums of the members' tallies and flows. */
export function jobTotals(members: readonly Pick<MemberPages, 'tally' | 'flows'>[]): { tally: PageTally; flows: Flow[] } {
  const tally = emptyTally();
  const flows = new Map<string, Flow>();
  for (const m of members) {
    addTally(tally, m.tally);
    for (const f of m.flows) {
      const k = `${f.from}>${f.to}`;
      const g = flows.get(k);
      if (g === undefined) flows.set(k, { ...f });
      else {
        g.pages += f.pages;
        g.bytes += f.bytes;
      }
    }
  }
  return { tally, flows: [...flows.values()].sort((a, b) => a.from - b.from || a.to - b.to) };
}
