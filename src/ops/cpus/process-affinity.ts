/**
 * CPU affinity of a whole running process: sched_setaffinity reaches any thread by tid, so no
 * injection is needed, but it acts on one thread at a time. A thread created while the loop runs
 * inherits its creator's mask, which may be the old one: the thread list is read again until a
 * pass meets no new thread.
 */
import { NumapolError, ProcessGoneError, UsageError } from '../../errors.js';
import { SyscallError, formatRanges, schedGetaffinity, schedSetaffinity } from '../../kernel/index.js';
import { listThreads } from '../../procfs/tasks.js';
import type { OpsOptions } from '../options.js';
import { resolveRunCpus, type RunSpec } from '../run.js';

export interface ThreadAffinity {
  readonly tid: number;
  readonly cpus: readonly number[];
}

export interface AffinityReport {
  readonly pid: number;
  /** The CPUs asked for, resolved against the machine. */
  readonly cpus: readonly number[];
  readonly threads: readonly { tid: number; before: readonly number[]; after: readonly number[] }[];
  /** Threads that exited before they could be changed. */
  readonly gone: readonly number[];
}

/** Each live thread's affinity now. */
export function processAffinity(pid: number, opts: OpsOptions = {}): ThreadAffinity[] {
  const out: ThreadAffinity[] = [];
  for (const tid of threadsOf(pid, opts)) {
    const cpus = affinityOf(tid);
    if (cpus !== undefined) out.push({ tid, cpus });
  }
  return out;
}

/**
 * Restricts every thread of `pid` to the CPUs of `spec` (`cpuNodes` or `cpus`, as `run` takes
 * them). The kernel keeps a thread inside its cpuset: CPUs outside it are dropped, and a set with
 * none inside is refused (EINVAL), which is reported naming the CPUs.
 */
export function setProcessAffinity(pid: number, spec: Pick<RunSpec, 'cpuNodes' | 'cpus'>, opts: OpsOptions = {}): AffinityReport {
  const cpus = resolveRunCpus(spec, opts);
  if (cpus === undefined) throw new UsageError('say which CPUs: nodes or cpus');
  return applyAffinity(pid, () => cpus, opts, cpus);
}

/** Puts back what processAffinity read: each thread its own mask; threads born since get the main thread's. */
export function restoreProcessAffinity(pid: number, saved: readonly ThreadAffinity[], opts: OpsOptions = {}): AffinityReport {
  const byTid = new Map(saved.map((t) => [t.tid, t.cpus] as const));
  const fallback = byTid.get(pid) ?? saved[0]?.cpus;
  if (fallback === undefined) throw new UsageError(`no saved affinity to restore for pid ${pid}`);
  return applyAffinity(pid, (tid) => byTid.get(tid) ?? fallback, opts, fallback);
}

function applyAffinity(pid: number, want: (tid: number) => readonly number[], opts: OpsOptions, asked: readonly number[]): AffinityReport {
  const done = new Map<number, { tid: number; before: readonly number[]; after: readonly number[] }>();
  const gone: number[] = [];
  for (let pass = 0; ; pass++) {
    const fresh = threadsOf(pid, opts).filter((t) => !done.has(t) && !gone.includes(t));
    if (fresh.length === 0) break;
    if (pass > 100) throw new NumapolError('EAGAIN', `pid ${pid} keeps creating threads: affinity set on ${done.size} of them`);
    for (const tid of fresh) {
      const before = affinityOf(tid);
      if (before === undefined) {
        gone.push(tid);
        continue;
      }
      const cpus = want(tid);
      try {
        schedSetaffinity(tid, cpus);
      } catch (e) {
        if (e instanceof SyscallError && e.errnoName === 'ESRCH') {
          gone.push(tid);
          continue;
        }
        if (e instanceof SyscallError && e.errnoName === 'EINVAL') {
          throw new NumapolError('ENOCPU', `cpus ${formatRanges(cpus)} are all outside the cpuset of pid ${pid} (tid ${tid})`, { cause: e, details: { pid, tid } });
        }
        throw e;
      }
      done.set(tid, { tid, before, after: affinityOf(tid) ?? cpus });
    }
  }
  if (done.size === 0) throw new ProcessGoneError(pid);
  return { pid, cpus: [...asked], threads: [...done.values()], gone };
}

function threadsOf(pid: number, opts: OpsOptions): number[] {
  return listThreads(pid, opts.root === undefined ? {} : { root: opts.root });
}

/** undefined when the thread has gone. */
function affinityOf(tid: number): number[] | undefined {
  try {
    return schedGetaffinity(tid);
  } catch (e) {
    if (e instanceof SyscallError && e.errnoName === 'ESRCH') return undefined;
    throw e;
  }
}
