/**
 * The public face of the engine: stop a whole process, let the caller run syscalls in its
 * threads, and put everything back. Callers never see registers.
 *
 *   withStoppedProcess(pid, {}, (s) => {
 *     const mask = s.scratch(nodemaskBytes);
 *     for (const tid of s.threads) s.remoteSyscall(tid, 'set_mempolicy', [2, mask, 65]);
 *   });
 *
 * Everything is synchronous on purpose: ptrace only answers the thread that attached.
 */
import { NumapolError, UsageError } from '../errors.js';
import { errnoName } from '../kernel/errno.js';
import { PTRACE_O_SUSPEND_SECCOMP, PTRACE_O_TRACESYSGOOD } from '../kernel/ptrace.js';
import { processVmRead } from '../kernel/remote-memory.js';
import { SYSCALL_NUMBERS, type SyscallName } from '../kernel/syscall-numbers.js';
import { currentArch, type Arch } from './arch/index.js';
import { threadExited } from './errors.js';
import { checkTraceable, readProcessFacts, threadState, type SeccompPolicy } from './preflight.js';
import { ScratchArena } from './scratch.js';
import { seizeAll, type SkippedThread } from './seize.js';
import { deferSignals } from './signal-guard.js';
import { findSyscallInstruction } from './syscall-insn.js';
import { detachThread, injectSyscall, type TracedThread } from './thread-state.js';

export type { SeccompPolicy } from './preflight.js';
export type { SkippedThread } from './seize.js';

/** A syscall's outcome in the target: its errno is a result, not a transport failure. */
export type RemoteResult =
  | { ok: true; value: bigint }
  | { ok: false; errno: number; errnoName: string };

export interface StopOptions {
  /**
   * What to do with a process under a seccomp filter: 'refuse' (default: the filter could
   * make the call fail or kill the process), 'allow' (try; a KILL filter kills it), 'suspend'
   * (PTRACE_O_SUSPEND_SECCOMP while traced; needs CAP_SYS_ADMIN).
   */
  seccomp?: SeccompPolicy;
  /** Longest wait for one thread to reach a ptrace stop, in ms (default 3000). */
  stopTimeoutMs?: number;
  /** Receives timings after every thread has been detached. */
  onStats?: (stats: SessionStats) => void;
}

export interface SessionStats {
  threads: number;
  seizePasses: number;
  /** From the first PTRACE_SEIZE until every thread was stopped. */
  seizeMs: number;
  /** From the first PTRACE_SEIZE until every thread was detached. */
  stoppedMs: number;
  detachMs: number;
  injections: number;
  /** Wall time of each remote syscall, in µs. */
  injectUs: number[];
  /** Cleanup problems that did not hide the primary outcome (e.g. a failed munmap). */
  warnings: string[];
}

export interface StoppedProcess {
  readonly pid: number;
  /** Live threads, all in a ptrace stop with their own registers. */
  readonly threads: readonly number[];
  /** Threads that were seen but not stopped (exited meanwhile, or a zombie leader). */
  readonly skipped: readonly SkippedThread[];
  /** Runs syscall `name(args)` in thread `tid`. Throws NumapolError only for transport failures. */
  remoteSyscall(tid: number, name: SyscallName, args: readonly (number | bigint)[]): RemoteResult;
  /** Copies bytes into a scratch mapping in the target (made on first use); returns their address. */
  scratch(bytes: Buffer): bigint;
  /** Reads target memory (e.g. an output argument written by a remote syscall). */
  readMemory(addr: bigint, length: number): Buffer;
  /** ms since the first thread was stopped. */
  stopTimeMs(): number;
}

const lingering: TracedThread[] = [];
let lingerTimer: NodeJS.Timeout | undefined;

/** Threads that would not stop for detach are retried in the background (same thread). */
function linger(t: TracedThread): void {
  lingering.push(t);
  lingerTimer ??= setInterval(() => {
    for (let i = lingering.length - 1; i >= 0; i--) {
      const l = lingering[i] as TracedThread;
      try {
        if (detachThread(l, 0)) lingering.splice(i, 1);
      } catch {
        lingering.splice(i, 1);
      }
    }
    if (lingering.length === 0 && lingerTimer !== undefined) {
      clearInterval(lingerTimer);
      lingerTimer = undefined;
    }
  }, 50).unref();
}

function toArg(a: number | bigint): bigint {
  if (typeof a === 'bigint') return a;
  if (!Number.isSafeInteger(a)) throw new UsageError(`syscall argument ${a} is not an integer`);
  return BigInt(a);
}

/**
 * Stops every thread of `pid`, runs `fn` with a session, then restores and detaches every
 * thread whatever happens (also when `fn` throws). `fn` must be synchronous.
 */
export function withStoppedProcess<T>(pid: number, opts: StopOptions, fn: (session: StoppedProcess) => T): T {
  const arch: Arch = currentArch();
  const seccomp = opts.seccomp ?? 'refuse';
  const timeoutMs = opts.stopTimeoutMs ?? 3000;
  const facts = readProcessFacts(pid);
  checkTraceable(facts, seccomp);
  const options = PTRACE_O_TRACESYSGOOD | (seccomp === 'suspend' ? PTRACE_O_SUSPEND_SECCOMP : 0);
  const numbers = SYSCALL_NUMBERS[arch.syscallTable];
  const watchSeccomp = facts.seccomp === 2 && seccomp === 'allow';

  const release = deferSignals();
  const traced: TracedThread[] = [];
  const stats: SessionStats = {
    threads: 0, seizePasses: 0, seizeMs: 0, stoppedMs: 0, detachMs: 0, injections: 0, injectUs: [], warnings: [],
  };
  const t0 = performance.now();
  let arena: ScratchArena | undefined;
  let insn: bigint | undefined;
  let active = true;
  let ok = false;
  try {
    const seized = seizeAll(facts, options, timeoutMs, traced);
    stats.seizeMs = performance.now() - t0;
    stats.seizePasses = seized.passes;
    const byTid = new Map(traced.filter((t) => t.alive).map((t) => [t.tid, t] as const));
    stats.threads = byTid.size;

    // The leader may be a zombie without an mm: reach the address space through a live thread.
    const mmTid = (): number => traced.find((x) => x.alive)?.tid ?? pid;
    const raw = (t: TracedThread, nr: number, args: readonly bigint[]): bigint => {
      if (insn === undefined) {
        try {
          insn = findSyscallInstruction(mmTid(), arch);
        } catch (e) {
          const state = threadState(pid, t.tid);
          const gone = (e as { code?: string }).code === 'ESRCH' || state === undefined || state === 'Z' || state === 'X';
          if (gone) throw threadExited(pid, t.tid, 'before the injected syscall');
          throw e;
        }
      }
      const start = performance.now();
      const r = injectSyscall(t, arch, insn, nr, args, timeoutMs, watchSeccomp);
      stats.injections++;
      stats.injectUs.push(Math.round((performance.now() - start) * 1000));
      return r;
    };
    const anyStopped = (): TracedThread => {
      const t = traced.find((x) => x.phase === 'stopped');
      if (t === undefined) throw new NumapolError('ETHREADEXIT', `pid ${pid} has no stopped thread left`);
      return t;
    };

    const session: StoppedProcess = {
      pid,
      threads: [...byTid.keys()],
      skipped: seized.skipped,
      remoteSyscall(tid, name, args) {
        if (!active) throw new NumapolError('EINVAL', 'the stopped-process session is over');
        const t = byTid.get(tid);
        if (t === undefined) throw new UsageError(`thread ${tid} is not a stopped thread of pid ${pid}`);
        const nr = (numbers as Record<string, number>)[name];
        if (nr === undefined) throw new UsageError(`unknown syscall ${name}`);
        const ret = raw(t, nr, args.map(toArg));
        if (ret < 0n && ret >= -4095n) return { ok: false, errno: Number(-ret), errnoName: errnoName(Number(-ret)) };
        return { ok: true, value: ret };
      },
      scratch(bytes) {
        if (!active) throw new NumapolError('EINVAL', 'the stopped-process session is over');
        arena ??= new ScratchArena(mmTid(), (name, args) => raw(anyStopped(), numbers[name], args));
        return arena.put(bytes);
      },
      readMemory: (addr, length) => processVmRead(mmTid(), addr, length),
      stopTimeMs: () => performance.now() - t0,
    };
    const result = fn(session);
    if (typeof (result as { then?: unknown } | null)?.then === 'function') {
      throw new UsageError('withStoppedProcess needs a synchronous callback: ptrace only answers the thread that attached');
    }
    ok = true;
    return result;
  } finally {
    active = false;
    if (arena !== undefined) {
      const errs = arena.release();
      for (const e of errs) stats.warnings.push(e instanceof Error ? e.message : String(e));
    }
    const d0 = performance.now();
    const detachErrors: unknown[] = [];
    for (const t of traced) {
      try {
        if (!detachThread(t, timeoutMs)) {
          linger(t);
          stats.warnings.push(`thread ${t.tid} did not stop for detach; retrying in the background`);
        }
      } catch (e) {
        detachErrors.push(e);
      }
    }
    const end = performance.now();
    stats.detachMs = end - d0;
    stats.stoppedMs = end - t0;
    release();
    opts.onStats?.(stats);
    if (ok && detachErrors.length > 0) {
      // eslint-disable-next-line no-unsafe-finally
      throw new NumapolError('EDETACH', `pid ${pid}: could not detach ${detachErrors.length} thread(s)`, { cause: detachErrors[0] });
    }
  }
}
