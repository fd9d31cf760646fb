/**
 * `numapol set PID POLICY --range ...|--vma NAME`: a VMA policy on part of a running process's
 * address space (mbind), optionally moving the pages already there (MPOL_MF_MOVE, or MOVE_ALL for
 * pages other processes share) as the seeds' numa_maps write did. mbind acts on the mm, so it is
 * injected once, into one stopped thread. Each VMA's previous policy is read first (get_mempolicy
 * MPOL_F_ADDR) so a failure puts every range back; pages already moved stay where they went.
 */
import { NumapolError, UsageError } from '../errors.js';
import { withStoppedProcess, type SessionStats } from '../inject/index.js';
import { MPOL_MF_MOVE, MPOL_MF_MOVE_ALL, MPOL_MF_STRICT, pageSize } from '../kernel/index.js';
import { DEFAULT_POLICY, type Mempolicy } from '../policy/index.js';
import { hexAddr, resolveSelection, type AddressRange, type Segment } from './address-range.js';
import { targetVmas } from './move-pages.js';
import type { VmaFilter } from './vma-filter.js';
import { policyText, remoteError, samePolicy, type RemoteMempolicy, type UndoLog } from './remote-mempolicy.js';
import { preflight, stopFigures, stopOptions, targetPolicy, withRollback, type StopFigures, type StopProcessOptions } from './set-policy.js';

/** Which memory: an address range, VMAs by name (`[heap]`, `[stack]`, a path), or both. */
export interface RangeSelection {
  readonly range?: AddressRange;
  readonly vma?: string;
  /** VMAs by what they are (anonymous, kinds, file globs): the daemon's `vmas:` rules. */
  readonly filter?: VmaFilter;
}

export interface MbindFlags {
  /** MPOL_MF_MOVE: move pages already in the range that the policy does not allow. */
  readonly move?: boolean;
  /** MPOL_MF_MOVE_ALL: also pages other processes map (needs CAP_SYS_NICE in the target). */
  readonly moveAll?: boolean;
  /** MPOL_MF_STRICT: fail (EIO) when pages in the range do not follow the policy. */
  readonly strict?: boolean;
}

export interface SetRangeOptions extends StopProcessOptions, MbindFlags {
  /** Read each range's policy back after mbind (default true). */
  readonly verify?: boolean;
}

export interface RangeChange {
  readonly start: string;
  readonly end: string;
  readonly mapping: string;
  /** The VMA's own policy (kernel form); `default` when it had none. A dry run shows numa_maps' text. */
  readonly before: string;
  readonly after: string;
}

export interface SetRangeReport {
  readonly pid: number;
  readonly policy: string;
  readonly flags: readonly ('move' | 'move_all' | 'strict')[];
  readonly dryRun: boolean;
  readonly ranges: readonly RangeChange[];
  readonly stop?: StopFigures;
}

export function mbindFlags(f: MbindFlags): number {
  return (f.move ? MPOL_MF_MOVE : 0) | (f.moveAll ? MPOL_MF_MOVE_ALL : 0) | (f.strict ? MPOL_MF_STRICT : 0);
}

function flagNames(f: MbindFlags): ('move' | 'move_all' | 'strict')[] {
  return [...(f.move ? ['move' as const] : []), ...(f.moveAll ? ['move_all' as const] : []), ...(f.strict ? ['strict' as const] : [])];
}

export function mappingName(s: Segment): string {
  return s.vma.path || `[${s.vma.kind}]`;
}

/** The page-aligned pieces, one per VMA, that a selection names in `pid` now. */
export function resolvePolicyRanges(pid: number, sel: RangeSelection, root?: string): Segment[] {
  if (sel.range === undefined && sel.vma === undefined && sel.filter === undefined) throw new UsageError('say which memory: --range START[-END|+LEN] or --vma NAME');
  return resolveSelection(
    targetVmas(pid, root),
    { ...sel.filter, ...(sel.range ? { range: sel.range } : {}), ...(sel.vma !== undefined ? { name: sel.vma } : {}) },
    pid,
    pageSize(),
  );
}

/**
 * Inside a stopped process: mbind each segment with `policy`, logging undos. Throws on the first
 * failure (the caller rolls back).
 */
export function mbindInSession(
  rm: RemoteMempolicy,
  pid: number,
  tid: number,
  segs: readonly Segment[],
  policy: Mempolicy,
  flags: number,
  undo: UndoLog,
  verify = true,
): RangeChange[] {
  const after = policyText(policy);
  const before = segs.map((s) => {
    const r = rm.vmaPolicy(tid, s.start);
    if (!r.ok) throw remoteError(`cannot read the policy of ${hexAddr(s.start)} in pid ${pid}`, r, { pid, start: hexAddr(s.start) });
    return r.value;
  });
  const out: RangeChange[] = [];
  segs.forEach((s, i) => {
    const prev = before[i] ?? DEFAULT_POLICY;
    const what = `${hexAddr(s.start)}-${hexAddr(s.end)}`;
    // mbind may change some VMAs of a range before failing (or, with STRICT, set the policy and
    // then report EIO): the undo is logged before the call.
    undo.push(`range ${what}`, () => rm.mbind(tid, s.start, s.end, prev, 0));
    const r = rm.mbind(tid, s.start, s.end, policy, flags);
    if (!r.ok) throw remoteError(`mbind ${after} on ${what} (${mappingName(s)}) of pid ${pid} failed`, r, { pid, start: hexAddr(s.start), end: hexAddr(s.end) });
    if (verify) {
      const back = rm.vmaPolicy(tid, s.start);
      if (!back.ok) throw remoteError(`cannot read back the policy of ${what} in pid ${pid}`, back, { pid });
      if (!samePolicy(policy, back.value)) {
        throw new NumapolError('EVERIFY', `${what} of pid ${pid} has policy ${policyText(back.value)} after mbind(${after}) succeeded`, {
          details: { pid, start: hexAddr(s.start), wanted: after, got: policyText(back.value) },
        });
      }
    }
    out.push({ start: hexAddr(s.start), end: hexAddr(s.end), mapping: mappingName(s), before: policyText(prev), after });
  });
  return out;
}

/** Gives the selected memory of `pid` the VMA policy `policy` (see the module comment). */
export function setRangePolicy(pid: number, policy: string | Mempolicy, sel: RangeSelection, opts: SetRangeOptions = {}): SetRangeReport {
  const p = targetPolicy(policy, pid, opts);
  const text = policyText(p);
  const segs = resolvePolicyRanges(pid, sel, opts.root);
  const flags = mbindFlags(opts);
  const base = { pid, policy: text, flags: flagNames(opts) };
  if (opts.dryRun) {
    preflight(pid, opts);
    const ranges = segs.map((s) => ({ start: hexAddr(s.start), end: hexAddr(s.end), mapping: mappingName(s), before: s.vma.policyText ?? 'default', after: text }));
    return { ...base, dryRun: true, ranges };
  }
  let stats: SessionStats | undefined;
  const ranges = withStoppedProcess(pid, stopOptions(opts, (s) => (stats = s)), (s) => {
    const tid = s.threads[0];
    if (tid === undefined) throw new NumapolError('ESRCH', `pid ${pid} has no thread left to run mbind`);
    return withRollback(s, (rm, undo) => mbindInSession(rm, pid, tid, segs, p, flags, undo, opts.verify ?? true));
  });
  return { ...base, dryRun: false, ranges, ...(stats ? { stop: stopFigures(stats) } : {}) };
}
