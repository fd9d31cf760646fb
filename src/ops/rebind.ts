/**
 * `--rebind`: besides moving the pages, give the range a VMA policy so pages allocated later
 * follow. Only the process itself can mbind its ranges, so the call is injected into one of its
 * threads (mbind acts on the mm: once is enough) with MPOL_MF_MOVE, which also catches pages that
 * arrived between the move and the bind.
 */
import { NumapolError } from '../errors.js';
import { withStoppedProcess } from '../inject/index.js';
import { encodeNodemask, errnoMeaning, maxnodeArg } from '../kernel/index.js';
import { hexAddr, type Segment } from './address-range.js';

export interface RebindResult {
  /** Ranges bound, hex. */
  readonly ranges: readonly { start: string; end: string }[];
  readonly mode: number;
  readonly nodes: readonly number[];
  /** mbind errors per range that failed (e.g. EIO: some pages could not be moved). */
  readonly errors: readonly { start: string; end: string; errno: string; meaning: string }[];
  /** How long the target was stopped, ms. */
  readonly stoppedMs: number;
}

/** Adjacent segments become one mbind call. */
function coalesce(segs: readonly Segment[]): { start: bigint; end: bigint }[] {
  const out: { start: bigint; end: bigint }[] = [];
  for (const s of segs) {
    const last = out[out.length - 1];
    if (last !== undefined && last.end === s.start) last.end = s.end;
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

/** Injects mbind(range, mode, nodes, flags) into `pid` for each range of `segs`. */
export function rebindRange(
  pid: number,
  segs: readonly Segment[],
  policy: { mode: number; nodes: readonly number[] },
  flags: number,
): RebindResult {
  const ranges = coalesce(segs);
  const errors: { start: string; end: string; errno: string; meaning: string }[] = [];
  let stoppedMs = 0;
  withStoppedProcess(pid, { onStats: (s) => (stoppedMs = s.stoppedMs) }, (session) => {
    const tid = session.threads[0];
    if (tid === undefined) throw new NumapolError('ESRCH', `pid ${pid} has no thread left to run mbind`);
    const mask = encodeNodemask(policy.nodes);
    const maskAddr = session.scratch(Buffer.from(mask.buffer, mask.byteOffset, mask.byteLength));
    for (const r of ranges) {
      const res = session.remoteSyscall(tid, 'mbind', [r.start, r.end - r.start, policy.mode, maskAddr, maxnodeArg(mask), flags]);
      if (!res.ok) {
        errors.push({ start: hexAddr(r.start), end: hexAddr(r.end), errno: res.errnoName, meaning: errnoMeaning('mbind', res.errno) });
      }
    }
  });
  return {
    ranges: ranges.map((r) => ({ start: hexAddr(r.start), end: hexAddr(r.end) })),
    mode: policy.mode,
    nodes: policy.nodes,
    errors,
    stoppedMs,
  };
}
