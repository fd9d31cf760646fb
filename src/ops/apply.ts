/**
 * `numapol apply PID [FILE|-]`: the seeds' numa_maps write syntax, one command a line —
 *
 *   POLICY                   every thread's policy         bind=0,2-5
 *   ADDR POLICY              the VMA starting at/holding ADDR    2aaaaaaab000 interleave=1-3
 *   ADDR-ADDR POLICY         a range (also ADDR+LEN)       7f00a000-7f00c000 prefer=1
 *   ADDR N0>1, ADDR N0(100)>1  move that VMA's pages (seed 003's migrate form)
 *
 * Addresses are hex as numa_maps prints them; `#` starts a comment. Every line is parsed and
 * checked (policies against the machine, ranges against the process's VMAs now) before anything
 * changes; an error names its line. The policy lines then run in one stop of the process, all or
 * nothing (a failure undoes the lines before it); the migrate lines run after, in order.
 */
import { NumapolError, UsageError } from '../errors.js';
import { withStoppedProcess, type SessionStats } from '../inject/index.js';
import type { Mempolicy } from '../policy/index.js';
import { parseAddressRange, type Segment } from './address-range.js';
import { applyMigrateLine, isMigrateLine, parseMigrateLine, type MigrateLine, type MigrateLineReport } from './migrate-line.js';
import { policyText } from './remote-mempolicy.js';
import { mbindFlags, mbindInSession, resolvePolicyRanges, mappingName, type MbindFlags, type RangeChange } from './set-range-policy.js';
import { hexAddr } from './address-range.js';
import {
  preflight,
  setThreadsInSession,
  stopFigures,
  stopOptions,
  targetPolicy,
  withRollback,
  type StopFigures,
  type StopProcessOptions,
  type ThreadChange,
} from './set-policy.js';
import { listThreads } from '../procfs/tasks.js';
import { inferThreadPolicyText } from './thread-policy.js';

export type ApplyCommand =
  | { readonly line: number; readonly text: string; readonly kind: 'process'; readonly policy: Mempolicy }
  | { readonly line: number; readonly text: string; readonly kind: 'range'; readonly policy: Mempolicy; readonly segments: readonly Segment[] }
  | { readonly line: number; readonly text: string; readonly kind: 'migrate'; readonly migrate: MigrateLine };

export interface ApplyOptions extends StopProcessOptions, MbindFlags {
  readonly verify?: boolean;
}

export interface ApplyLineReport {
  readonly line: number;
  readonly text: string;
  readonly kind: ApplyCommand['kind'];
  readonly policy?: string;
  /** Process lines: before/after per thread. */
  readonly threads?: readonly ThreadChange[];
  /** Range lines: before/after per VMA piece. */
  readonly ranges?: readonly RangeChange[];
  readonly migrate?: MigrateLineReport;
}

export interface ApplyReport {
  readonly pid: number;
  readonly dryRun: boolean;
  readonly lines: readonly ApplyLineReport[];
  readonly stop?: StopFigures;
}

const RANGE_TOKEN = /^(?:0x)?[0-9a-f]+(?:[-+]\S+)?$/i;

function atLine(n: number, e: unknown): unknown {
  if (!(e instanceof NumapolError)) return e;
  return new NumapolError(e.code, `line ${n}: ${e.message}`, { cause: e, usage: e.usage, details: { ...e.details, line: n } });
}

/**
 * Parses and checks every line against `pid` as it is now. Throws for the first bad line, naming
 * it; nothing has been changed then.
 */
export function parseApplyText(text: string, pid: number, opts: ApplyOptions = {}): ApplyCommand[] {
  const out: ApplyCommand[] = [];
  text.split('\n').forEach((raw, i) => {
    const n = i + 1;
    const t = raw.replace(/#.*$/, '').trim();
    if (t === '') return;
    try {
      if (isMigrateLine(t)) {
        out.push({ line: n, text: t, kind: 'migrate', migrate: parseMigrateLine(t) });
        return;
      }
      const sp = t.search(/\s/);
      const first = sp < 0 ? t : t.slice(0, sp);
      if (RANGE_TOKEN.test(first) && sp >= 0) {
        const policy = targetPolicy(t.slice(sp + 1).trim(), pid, opts);
        const segments = resolvePolicyRanges(pid, { range: parseAddressRange(first) }, opts.root);
        out.push({ line: n, text: t, kind: 'range', policy, segments });
        return;
      }
      if (RANGE_TOKEN.test(first)) {
        throw new UsageError(`'${t}' is an address with no policy: write 'ADDR POLICY', e.g. '${first} bind=0'`);
      }
      out.push({ line: n, text: t, kind: 'process', policy: targetPolicy(t, pid, opts) });
    } catch (e) {
      throw atLine(n, e);
    }
  });
  if (out.length === 0) throw new UsageError('nothing to apply: the input has no commands');
  return out;
}

/** Parses, checks and carries out `text` on `pid` (see the module comment). */
export async function applyCommands(pid: number, text: string, opts: ApplyOptions = {}): Promise<ApplyReport> {
  const cmds = parseApplyText(text, pid, opts);
  const policyCmds = cmds.filter((c) => c.kind !== 'migrate');
  const reports = new Map<number, ApplyLineReport>();
  let stats: SessionStats | undefined;
  if (opts.dryRun) {
    if (policyCmds.length > 0) preflight(pid, opts);
    const tids = listThreads(pid, opts.root === undefined ? {} : { root: opts.root });
    for (const c of policyCmds) {
      const after = policyText(c.policy);
      if (c.kind === 'process') {
        const threads = tids.flatMap((tid) => {
          try {
            return [{ tid, before: inferThreadPolicyText(pid, tid, opts.root), after }];
          } catch {
            return [];
          }
        });
        reports.set(c.line, { line: c.line, text: c.text, kind: c.kind, policy: after, threads });
      } else if (c.kind === 'range') {
        const ranges = c.segments.map((s) => ({ start: hexAddr(s.start), end: hexAddr(s.end), mapping: mappingName(s), before: s.vma.policyText ?? 'default', after }));
        reports.set(c.line, { line: c.line, text: c.text, kind: c.kind, policy: after, ranges });
      }
    }
  } else if (policyCmds.length > 0) {
    const flags = mbindFlags(opts);
    withStoppedProcess(pid, stopOptions(opts, (s) => (stats = s)), (s) => {
      const tid = s.threads[0];
      if (tid === undefined) throw new NumapolError('ESRCH', `pid ${pid} has no thread left`);
      withRollback(s, (rm, undo) => {
        for (const c of policyCmds) {
          try {
            if (c.kind === 'process') {
              const threads = setThreadsInSession(rm, pid, s.threads, c.policy, undo, opts.verify ?? true);
              reports.set(c.line, { line: c.line, text: c.text, kind: c.kind, policy: policyText(c.policy), threads });
            } else if (c.kind === 'range') {
              const ranges = mbindInSession(rm, pid, tid, c.segments, c.policy, flags, undo, opts.verify ?? true);
              reports.set(c.line, { line: c.line, text: c.text, kind: c.kind, policy: policyText(c.policy), ranges });
            }
          } catch (e) {
            throw atLine(c.line, e);
          }
        }
      });
    });
  }
  for (const c of cmds) {
    if (c.kind !== 'migrate') continue;
    try {
      const migrate = await applyMigrateLine(pid, c.migrate, { ...(opts.root === undefined ? {} : { root: opts.root }), ...(opts.dryRun ? { dryRun: true } : {}) });
      reports.set(c.line, { line: c.line, text: c.text, kind: 'migrate', migrate: { ...migrate, line: c.text } });
    } catch (e) {
      throw atLine(c.line, e);
    }
  }
  return {
    pid,
    dryRun: !!opts.dryRun,
    lines: cmds.map((c) => reports.get(c.line)!).filter((r) => r !== undefined),
    ...(stats ? { stop: stopFigures(stats) } : {}),
  };
}
