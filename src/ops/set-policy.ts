/**
 * `numapol set PID POLICY`: make threads of a running process call set_mempolicy. All or nothing:
 * each chosen thread's policy is read first (injected get_mempolicy), then set, then read back; if
 * any thread fails, the threads already changed get their previous policy back before the process
 * runs again, and the error says what happened. Threads created later inherit their creator's.
 */
import { NumapolError, UsageError } from '../errors.js';
import { withStoppedProcess, type SeccompPolicy, type SessionStats, type StoppedProcess } from '../inject/index.js';
import { checkTraceable, readProcessFacts } from '../inject/preflight.js';
import type { Mempolicy } from '../policy/index.js';
import { listThreads } from '../procfs/tasks.js';
import type { OpsOptions } from './options.js';
import { policyText, remoteError, RemoteMempolicy, samePolicy, UndoLog } from './remote-mempolicy.js';
import { inferThreadPolicyText } from './thread-policy.js';
import { userPolicy } from './user-policy.js';

/** Which threads: every one (default), the main thread (tid == pid), or these tids. */
export type ThreadSelection = 'all' | 'main' | readonly number[];

/** Options shared by the operations that stop a process. */
export interface StopProcessOptions extends OpsOptions {
  /** Print the plan, read /proc only; the process is not stopped. */
  readonly dryRun?: boolean;
  /** See StopOptions.seccomp: 'refuse' (default) a filtered target, or 'allow' trying. */
  readonly seccomp?: SeccompPolicy;
  readonly stopTimeoutMs?: number;
  /** See StopOptions.boost: raise numapol's scheduling priority while the process is stopped (default true). */
  readonly boost?: boolean;
}

export interface SetPolicyOptions extends StopProcessOptions {
  readonly threads?: ThreadSelection;
  /** Read each thread's policy back after setting it (default true). */
  readonly verify?: boolean;
}

export interface ThreadChange {
  readonly tid: number;
  /** Kernel (numa_maps) form. In a dry run, inferred from numa_maps. */
  readonly before: string;
  readonly after: string;
}

/** How long the process was stopped, from the engine's stats. */
export interface StopFigures {
  readonly threadsStopped: number;
  readonly seizeMs: number;
  readonly stoppedMs: number;
  readonly detachMs: number;
  readonly injections: number;
  /** How numapol raised its own scheduling priority while the process was stopped (fifo, nice, none, off). */
  readonly scheduling: string;
}

export interface SetPolicyReport {
  readonly pid: number;
  /** The policy set, kernel form. */
  readonly policy: string;
  readonly dryRun: boolean;
  readonly verified: boolean;
  readonly threads: readonly ThreadChange[];
  /** Threads that exited between being listed and being stopped. */
  readonly skipped: readonly { tid: number; reason: string }[];
  readonly stop?: StopFigures;
}

export function stopFigures(s: SessionStats): StopFigures {
  return { threadsStopped: s.threads, seizeMs: s.seizeMs, stoppedMs: s.stoppedMs, detachMs: s.detachMs, injections: s.injections, scheduling: s.scheduling };
}

/** Parses `all`, `main` or `TID,TID,...` (the --threads argument). */
export function parseThreadSelection(text: string): ThreadSelection {
  const t = text.trim();
  if (t === 'all' || t === 'main') return t;
  const tids = t.split(',').map((x) => x.trim());
  if (tids.some((x) => !/^\d+$/.test(x))) throw new UsageError(`bad --threads '${text}': use all, main, or a comma-separated list of TIDs`);
  return tids.map(Number);
}

/** The tids a selection names among `live`; an unknown TID is a usage error naming it. */
export function selectThreads(pid: number, sel: ThreadSelection, live: readonly number[]): number[] {
  if (sel === 'all') return [...live];
  const wanted = sel === 'main' ? [pid] : sel;
  const missing = wanted.filter((t) => !live.includes(t));
  if (missing.length > 0) {
    const what = sel === 'main' ? `the main thread ${pid} has exited (the process lives on in other threads)` : `pid ${pid} has no thread ${missing.join(', ')}`;
    throw new UsageError(`${what}: see 'numapol show ${pid}'`, { code: 'ENOTHREAD', details: { pid, missing } });
  }
  return [...new Set(wanted)];
}

/** Parses a policy argument against the target's nodes and cpuset. */
export function targetPolicy(policy: string | Mempolicy, pid: number, opts: OpsOptions): Mempolicy {
  return typeof policy === 'string' ? userPolicy(policy, { pid, ...(opts.root === undefined ? {} : { root: opts.root }) }) : policy;
}

/** Refuses in a dry run what the real run would refuse, without tracing. */
export function preflight(pid: number, opts: StopProcessOptions): void {
  checkTraceable(readProcessFacts(pid), opts.seccomp ?? 'refuse');
}

/**
 * Inside a stopped process: sets `policy` in each of `tids`, logging undos in `undo`. Throws on
 * the first failure (the caller rolls back).
 */
export function setThreadsInSession(
  rm: RemoteMempolicy,
  pid: number,
  tids: readonly number[],
  policy: Mempolicy,
  undo: UndoLog,
  verify = true,
): ThreadChange[] {
  const after = policyText(policy);
  // One injection per thread, all threads at once: read its policy, set the new one only if
  // that worked, read it back. Every change that may have happened is logged for undo before
  // any failure is reported, so the caller's rollback covers all of them.
  const xs = rm.exchangeThreadPolicies(tids, policy, verify);
  xs.forEach((x, i) => {
    const tid = tids[i]!;
    if (x.setMayHaveRun && x.before.ok) {
      const prev = x.before.value;
      undo.push(`thread ${tid}`, () => rm.setThreadPolicy(tid, prev));
    }
  });
  const changes: ThreadChange[] = [];
  // Threads mostly share one policy, and the exchange then hands out one object for it
  // (RemoteMempolicy.decodeRun): compare and format it once, not once a thread.
  let verified: Mempolicy | undefined;
  let lastBefore: Mempolicy | undefined;
  let lastBeforeText = '';
  xs.forEach((x, i) => {
    const tid = tids[i]!;
    if (!x.before.ok) {
      if (x.error !== undefined) throw x.error;
      throw remoteError(`cannot read the policy of thread ${tid} of pid ${pid}`, x.before, { pid, tid });
    }
    if (x.error !== undefined) throw x.error;
    if (x.set === undefined) throw new NumapolError('EPROTO', `thread ${tid} of pid ${pid}: set_mempolicy did not run`);
    if (!x.set.ok) throw remoteError(`setting ${after} in thread ${tid} of pid ${pid} failed`, x.set, { pid, tid });
    if (verify) {
      const back = x.after;
      if (back === undefined) throw new NumapolError('EPROTO', `thread ${tid} of pid ${pid}: the policy was not read back`);
      if (!back.ok) throw remoteError(`cannot read back the policy of thread ${tid} of pid ${pid}`, back, { pid, tid });
      if (back.value !== verified && !samePolicy(policy, back.value)) {
        throw new NumapolError('EVERIFY', `thread ${tid} of pid ${pid} reports ${policyText(back.value)} after set_mempolicy(${after}) succeeded`, {
          details: { pid, tid, wanted: after, got: policyText(back.value) },
        });
      }
      verified = back.value;
    }
    if (x.before.value !== lastBefore) {
      lastBefore = x.before.value;
      lastBeforeText = policyText(lastBefore);
    }
    changes.push({ tid, before: lastBeforeText, after });
  });
  return changes;
}

/**
 * Runs `fn` in the stopped process with an undo log; if it throws, undoes what it logged while
 * the process is still stopped and rethrows with what was restored.
 */
export function withRollback<T>(s: StoppedProcess, fn: (rm: RemoteMempolicy, undo: UndoLog) => T): T {
  const rm = new RemoteMempolicy(s);
  const undo = new UndoLog();
  try {
    return fn(rm, undo);
  } catch (e) {
    if (undo.size === 0) throw e;
    const { restored, failed } = undo.rollback();
    const base = e instanceof Error ? e.message : String(e);
    const note = failed.length === 0
      ? `; nothing changed: the ${restored.length} change${restored.length === 1 ? '' : 's'} already made (${restored.join(', ')}) were undone`
      : `; could not undo ${failed.map((f) => `${f.what} (${f.why})`).join(', ')}${restored.length > 0 ? `; undone: ${restored.join(', ')}` : ''}`;
    const code = e instanceof NumapolError ? e.code : 'EFAILED';
    throw new NumapolError(code, `${base}${note}`, {
      cause: e,
      ...(e instanceof NumapolError && e.usage ? { usage: true } : {}),
      details: { ...(e instanceof NumapolError ? e.details : {}), restored, notRestored: failed },
    });
  }
}

/** Sets `policy` as the task policy of the chosen threads of `pid` (see the module comment). */
export function setProcessPolicy(pid: number, policy: string | Mempolicy, opts: SetPolicyOptions = {}): SetPolicyReport {
  const p = targetPolicy(policy, pid, opts);
  const sel = opts.threads ?? 'all';
  const ro = opts.root === undefined ? {} : { root: opts.root };
  const text = policyText(p);
  const verify = opts.verify ?? true;
  // Unknown TIDs are the user's mistake: say so before stopping anything. (The main thread is
  // looked for among the stopped threads: one /proc listing less on the path of every call.)
  if (sel !== 'all' && sel !== 'main') selectThreads(pid, sel, listThreads(pid, ro));
  if (opts.dryRun) {
    const listed = listThreads(pid, ro);
    preflight(pid, opts);
    const threads: ThreadChange[] = [];
    for (const tid of selectThreads(pid, sel, listed)) {
      try {
        threads.push({ tid, before: inferThreadPolicyText(pid, tid, opts.root), after: text });
      } catch {
        // exited while we looked
      }
    }
    return { pid, policy: text, dryRun: true, verified: false, threads, skipped: [] };
  }
  let stats: SessionStats | undefined;
  const result = withStoppedProcess(pid, stopOptions(opts, (s) => (stats = s)), (s) => {
    const tids = selectThreads(pid, sel, s.threads);
    const threads = withRollback(s, (rm, undo) => setThreadsInSession(rm, pid, tids, p, undo, verify));
    return { threads, skipped: s.skipped.map((k) => ({ tid: k.tid, reason: String(k.reason) })) };
  });
  return { pid, policy: text, dryRun: false, verified: verify, ...result, ...(stats ? { stop: stopFigures(stats) } : {}) };
}

export function stopOptions(opts: StopProcessOptions, onStats: (s: SessionStats) => void): import('../inject/index.js').StopOptions {
  return {
    ...(opts.seccomp === undefined ? {} : { seccomp: opts.seccomp }),
    ...(opts.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: opts.stopTimeoutMs }),
    ...(opts.boost === undefined ? {} : { boost: opts.boost }),
    onStats,
  };
}
