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
import { performance } from 'node:perf_hooks';
import { NumapolError, UsageError } from '../errors.js';
import { errnoName } from '../kernel/errno.js';
import { getSigmask, PTRACE_O_SUSPEND_SECCOMP, PTRACE_O_TRACESYSGOOD } from '../kernel/ptrace.js';
import { processVmRead } from '../kernel/remote-memory.js';
import { SYSCALL_NUMBERS, type SyscallName } from '../kernel/syscall-numbers.js';
import { readMaps } from '../procfs/maps.js';
import { currentArch, type Arch } from './arch/index.js';
import { threadExited } from './errors.js';
import {
  readProcessFacts, refuseLingering, refuseSeccomp, refuseSelf, seenUnfiltered, threadState, type ProcessFacts, type SeccompPolicy,
} from './preflight.js';
import { deadStackWindow, ScratchArena, type BorrowWindow } from './scratch.js';
import { openTasks, seizeAll, type SkippedThread } from './seize.js';
import { deferSignals } from './signal-guard.js';
import { findSyscallInstruction, scratchHole, syscallInsnBehind, type Mapping } from './syscall-insn.js';
import { quietChildStops } from '../kernel/wait.js';
import {
  completedBefore, injectMany, injectSyscalls, setCompletedBefore, isErrnoResult, stepIsSafe, STUB_NOT_RUN, type InjectCall, type InjectMode, type StubRun,
} from './inject.js';
import { detachThread, nativeRegs, type TracedThread } from './thread-state.js';

export type { InjectMode } from './inject.js';
export type { SeccompPolicy } from './preflight.js';
export type { SkippedThread } from './seize.js';

/** A syscall's outcome in the target: its errno is a result, not a transport failure. */
export type RemoteResult =
  | { ok: true; value: bigint }
  | { ok: false; errno: number; errnoName: string };

/** One call of a batch: a syscall by name and its arguments. */
export interface RemoteCall {
  readonly name: SyscallName;
  readonly args: readonly (number | bigint)[];
}

export interface BatchOptions {
  /** Do not run the calls after the first one that fails with an errno (default false). */
  readonly stopAtErrno?: boolean;
}

/** One thread's batch for remoteSyscallsEach. */
export interface ThreadCalls {
  readonly tid: number;
  readonly calls: readonly RemoteCall[];
}

/** How one thread's batch of remoteSyscallsEach ended: results of the calls run, and a transport failure if any. */
export interface ThreadOutcome {
  readonly tid: number;
  readonly results: readonly RemoteResult[];
  readonly error?: unknown;
}

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
  /**
   * How injected syscalls run: 'auto' (default) single-steps the syscall instruction when that
   * is safe for the target (x86_64, SIGTRAP not ignored, no seccomp filter being watched) and
   * otherwise stops at syscall entry and exit; 'syscall-stops' forces the latter.
   */
  injection?: 'auto' | 'syscall-stops';
}

export interface SessionStats {
  threads: number;
  seizePasses: number;
  /** From the first PTRACE_SEIZE until every thread was stopped. */
  seizeMs: number;
  /** From the first PTRACE_SEIZE until every thread was detached. */
  stoppedMs: number;
  detachMs: number;
  /** Syscalls run in the target (each call of a batch counts). */
  injections: number;
  /** Wall time of each injection into a thread (one remoteSyscall, or one batch), in µs. */
  injectUs: number[];
  /** How the syscalls were run (see StopOptions.injection). */
  injectionMode: InjectMode;
  /** Batches that ran as code written into the target (remoteSyscallsEach), one stop each. */
  stubBatches: number;
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
  /**
   * Runs `calls` in order in thread `tid` with one save and one restore of its registers and
   * signal mask (faster than one remoteSyscall per call). Returns one result per call run: all
   * of them, or up to the first errno with `stopAtErrno`. Throws NumapolError for a transport
   * failure; `completedCalls(error)` gives the results of the calls that ran before it.
   */
  remoteSyscalls(tid: number, calls: readonly RemoteCall[], opts?: BatchOptions): RemoteResult[];
  /**
   * Runs each thread's batch like remoteSyscalls, all threads at once: the tracer works on one
   * while the others wake, run their calls and stop, so N threads cost far less than N times
   * one. A failure in one thread does not stop the others; each outcome says how its batch
   * ended. Argument memory must not be shared between threads that write to it.
   */
  remoteSyscallsEach(batches: readonly ThreadCalls[], opts?: BatchOptions): ThreadOutcome[];
  /**
   * Copies bytes into scratch memory in the target and returns their address, valid for the
   * session's remote calls and readMemory. Small amounts are borrowed stack memory, written at
   * once (and written back at the end); larger ones go to a mapping that the next injection
   * makes (its mmap runs first in that batch), so other ways of touching those must call
   * readMemory first.
   */
  scratch(bytes: Buffer): bigint;
  /** Reads target memory (e.g. an output argument written by a remote syscall). */
  readMemory(addr: bigint, length: number): Buffer;
  /** ms since the first thread was stopped. */
  stopTimeMs(): number;
}

/**
 * Threads that did not stop for detach within the timeout (D state for seconds): still traced
 * by this thread. The next session on their process finishes detaching them first, and a timer
 * keeps trying meanwhile.
 */
const lingering: TracedThread[] = [];
let lingerTimer: NodeJS.Timeout | undefined;

function retryLingering(timeoutMs: number, pid?: number): void {
  for (let i = lingering.length - 1; i >= 0; i--) {
    const l = lingering[i] as TracedThread;
    if (pid !== undefined && l.pid !== pid) continue;
    try {
      if (detachThread(l, timeoutMs)) lingering.splice(i, 1);
    } catch {
      lingering.splice(i, 1);
    }
  }
  if (lingering.length === 0 && lingerTimer !== undefined) {
    clearInterval(lingerTimer);
    lingerTimer = undefined;
  }
}

function linger(t: TracedThread): void {
  lingering.push(t);
  lingerTimer ??= setInterval(() => retryLingering(0), 50).unref();
}

/** The results of the calls of a batch that ran before it failed with `e` (see remoteSyscalls). */
export function completedCalls(e: unknown): RemoteResult[] {
  return completedBefore(e).map(toResult);
}

/** The result most calls return: shared, since a thousand threads' calls each return it. */
const OK_ZERO: RemoteResult = Object.freeze({ ok: true, value: 0n });

function toResult(ret: bigint): RemoteResult {
  if (ret === 0n) return OK_ZERO;
  if (isErrnoResult(ret)) return { ok: false, errno: Number(-ret), errnoName: errnoName(Number(-ret)) };
  return { ok: true, value: ret };
}

/** One batch of remoteSyscallsEach on its way: its position, its thread, its calls, its code. */
interface EachWork {
  readonly at: number;
  readonly t: TracedThread;
  readonly calls: InjectCall[];
  stub: StubRun | undefined;
}

/** Up to this many threads, argument memory is mapped at a hole found in maps (see scratchArena). */
const HOLE_MAX_THREADS = 16;

/** A borrow window this large holds a nodemask and a few get_mempolicy outputs. */
const ROOMY_WINDOW = 512;

function toArg(a: number | bigint): bigint {
  if (typeof a === 'bigint') return a;
  if (!Number.isSafeInteger(a)) throw new UsageError(`syscall argument ${a} is not an integer`);
  return BigInt(a);
}

/** A call's arguments as the engine takes them: the caller's own array when all are BigInts already. */
function toArgs(args: readonly (number | bigint)[]): readonly bigint[] {
  for (let i = 0; i < args.length; i++) if (typeof args[i] !== 'bigint') return args.map(toArg);
  return args as readonly bigint[];
}

/**
 * Stops every thread of `pid`, runs `fn` with a session, then restores and detaches every
 * thread whatever happens (also when `fn` throws). `fn` must be synchronous.
 */
export function withStoppedProcess<T>(pid: number, opts: StopOptions, fn: (session: StoppedProcess) => T): T {
  const arch: Arch = currentArch();
  const seccomp = opts.seccomp ?? 'refuse';
  const timeoutMs = opts.stopTimeoutMs ?? 3000;
  if (lingering.some((l) => l.pid === pid)) retryLingering(timeoutMs, pid);
  refuseSelf(pid);
  refuseLingering(pid, lingering.filter((l) => l.pid === pid).map((l) => l.tid));
  const options = PTRACE_O_TRACESYSGOOD | (seccomp === 'suspend' ? PTRACE_O_SUSPEND_SECCOMP : 0);
  const numbers = SYSCALL_NUMBERS[arch.syscallTable];
  // For a process seen without seccomp before, read during the wait for the threads' stops
  // (see prefetch), else now: a refusal then leaves the process untouched (preflight.ts).
  const readFirst = !seenUnfiltered(pid);
  let facts: ProcessFacts | undefined;
  if (readFirst) {
    facts = readProcessFacts(pid);
    refuseSeccomp(facts, seccomp);
  }

  const tasks = openTasks(pid);
  const release = deferSignals();
  const loudChildStops = quietChildStops();
  const traced: TracedThread[] = [];
  const stats: SessionStats = {
    threads: 0, seizePasses: 0, seizeMs: 0, stoppedMs: 0, detachMs: 0, injections: 0, injectUs: [], injectionMode: 'syscall-stops', stubBatches: 0, warnings: [],
  };
  const t0 = performance.now();
  let arena: ScratchArena | undefined;
  let insn: bigint | undefined;
  let active = true;
  let ok = false;
  try {
    // While threads are still on their way to their stop, read what every injection into the
    // ones already stopped will need (registers, signal mask, the syscall instruction): reads
    // only, so the rule that nothing changes before the whole process stands still holds.
    let prefetched = 0;
    const prefetch = (): void => {
      // The status file first, when it was not read before the stop: it is the slowest read,
      // and what it says (seccomp, ignored signals) decides whether and how to inject.
      if (facts === undefined) {
        facts = readProcessFacts(pid);
        return;
      }
      // One thread per call, in seize order; a thread still on its way ends the pass.
      while (prefetched < traced.length) {
        const t = traced[prefetched]!;
        if (t.phase === 'seized') return;
        prefetched++;
        if (!t.ready) continue;
        try {
          nativeRegs(t, arch);
          t.sigmask ??= getSigmask(t.tid);
          if (insn === undefined) insn = syscallInsnBehind(t, arch);
        } catch {
          // Left for the injection, which reports what fails.
        }
        return;
      }
    };
    const seized = seizeAll(pid, tasks, options, timeoutMs, traced, prefetch);
    facts ??= readProcessFacts(pid);
    if (!readFirst) refuseSeccomp(facts, seccomp);
    const watchSeccomp = facts.seccomp === 2 && seccomp === 'allow';
    const mode: InjectMode = opts.injection !== 'syscall-stops' && stepIsSafe(arch, facts.sigIgn, watchSeccomp) ? 'step' : 'syscall-stops';
    stats.injectionMode = mode;
    stats.seizeMs = performance.now() - t0;
    stats.seizePasses = seized.passes;
    const byTid = new Map(traced.filter((t) => t.alive).map((t) => [t.tid, t] as const));
    stats.threads = byTid.size;

    // The leader may be a zombie without an mm: reach the address space through a live thread.
    const mmTid = (): number => traced.find((x) => x.alive)?.tid ?? pid;
    // Read once: large for a process with many threads (a stack and a guard per thread).
    let maps: Mapping[] | undefined;
    const mappings = (): Mapping[] => (maps ??= readMaps(mmTid()));
    const syscallInsn = (t: TracedThread): bigint => {
      if (insn === undefined) {
        try {
          insn = syscallInsnBehind(t, arch) ?? findSyscallInstruction(mmTid(), arch, mappings());
        } catch (e) {
          const state = threadState(pid, t.tid);
          const gone = (e as { code?: string }).code === 'ESRCH' || state === undefined || state === 'Z' || state === 'X';
          if (gone) throw threadExited(pid, t.tid, 'before the injected syscall');
          throw e;
        }
      }
      return insn;
    };
    const raw = (t: TracedThread, calls: readonly InjectCall[], stopAtErrno = false): bigint[] => {
      const at = syscallInsn(t);
      const start = performance.now();
      let n = 0;
      // Argument memory promised by scratch() but not mapped yet: its mmap runs first, in this
      // same injection, and its bytes are written before the caller's calls run.
      const pre = arena?.pendingMmap();
      const skip = pre === undefined ? 0 : 1;
      let mmapSeen = false;
      const afterCall = (i: number, r: bigint): void => {
        if (i !== 0 || arena === undefined) return;
        mmapSeen = true;
        arena.mapped(r);
      };
      try {
        const all = pre === undefined ? calls : [{ nr: numbers.mmap, args: pre }, ...calls];
        const r = injectSyscalls(t, arch, at, all, { mode, timeoutMs, watchSeccomp, stopAtErrno, ...(pre === undefined ? {} : { afterCall }) });
        n = r.length;
        return r.slice(skip);
      } catch (e) {
        if (pre !== undefined && !mmapSeen) arena?.mmapUncertain();
        const done = completedBefore(e);
        n = done.length;
        if (skip > 0) setCompletedBefore(e, done.slice(skip));
        throw e;
      } finally {
        stats.injections += n;
        stats.injectUs.push(Math.round((performance.now() - start) * 1000));
      }
    };
    const scratchArena = (): ScratchArena => {
      arena ??= new ScratchArena(
        mmTid(),
        (name, args) => raw(anyStopped(), [{ nr: numbers[name], args }])[0] as bigint,
        // Finding a hole means reading /proc/PID/maps, two lines a thread: past a few threads
        // that costs more (2.6 ms for 1,000 threads, three times that cold) than the injection
        // of its own that an mmap needs without one (tens of microseconds).
        (size) => (byTid.size > HOLE_MAX_THREADS ? undefined : scratchHole(mappings(), size)),
        () => void raw(anyStopped(), []),
        () => {
          // How much a thread can lend depends on where its stack pointer sits in its page: the
          // first of a few threads with room enough for a session's usual arguments, else the
          // largest of them.
          let best: BorrowWindow | undefined;
          for (const t of traced.filter((x) => x.ready).slice(0, 4)) {
            const w = deadStackWindow(t, arch);
            if (w !== undefined && w.size >= ROOMY_WINDOW) return w;
            if (w !== undefined && (best === undefined || w.size > best.size)) best = w;
          }
          return best;
        },
      );
      return arena;
    };
    /**
     * Writes the code of the batches into executable memory (threads whose batches differ only in
     * their output areas share one copy) and gives each batch its entry and slot area; undefined
     * when the target may not have executable memory.
     */
    const writeStubs = (batches: readonly { calls: InjectCall[] }[], stopAtErrno: boolean): StubRun[] | undefined => {
      const block = arch.stubs!(batches.map((w) => w.calls), stopAtErrno, STUB_NOT_RUN);
      const base = scratchArena().putCode(block.code);
      if (base === undefined) return undefined;
      const runs = new Array<StubRun>(block.entries.length);
      // Most threads share one code: its addresses are made once.
      let at = -1;
      let entry = 0n;
      let trap = 0n;
      for (let i = 0; i < runs.length; i++) {
        if (block.entries[i] !== at) {
          at = block.entries[i]!;
          entry = base + BigInt(at);
          trap = base + BigInt(block.traps[i]!);
        }
        runs[i] = { entry, trap, slots: base + BigInt(block.slots[i]!), delta: block.deltas[i]! };
      }
      return runs;
    };
    const callsOf = (list: readonly RemoteCall[]): InjectCall[] => list.map((c) => {
      const nr = (numbers as Record<string, number>)[c.name];
      if (nr === undefined) throw new UsageError(`unknown syscall ${c.name}`);
      return { nr, args: toArgs(c.args) };
    });
    const threadOf = (tid: number): TracedThread => {
      if (!active) throw new NumapolError('EINVAL', 'the stopped-process session is over');
      const t = byTid.get(tid);
      if (t === undefined) throw new UsageError(`thread ${tid} is not a stopped thread of pid ${pid}`);
      return t;
    };
    const anyStopped = (): TracedThread => {
      const t = traced.find((x) => x.ready);
      if (t === undefined) throw new NumapolError('ETHREADEXIT', `pid ${pid} has no stopped thread left`);
      return t;
    };

    const session: StoppedProcess = {
      pid,
      threads: [...byTid.keys()],
      skipped: seized.skipped,
      remoteSyscall(tid, name, args) {
        const t = threadOf(tid);
        return toResult(raw(t, callsOf([{ name, args }]))[0] as bigint);
      },
      remoteSyscalls(tid, calls, batch = {}) {
        const t = threadOf(tid);
        if (calls.length === 0) return [];
        return raw(t, callsOf(calls), batch.stopAtErrno ?? false).map(toResult);
      },
      remoteSyscallsEach(batches, batch = {}) {
        const stopAtErrno = batch.stopAtErrno ?? false;
        // One outcome per batch, by position; a batch with no calls keeps its empty one.
        const out: ThreadOutcome[] = batches.map((b) => ({ tid: b.tid, results: [] }));
        const work: EachWork[] = [];
        for (let i = 0; i < batches.length; i++) {
          const b = batches[i]!;
          if (b.calls.length > 0) work.push({ at: i, t: threadOf(b.tid), calls: callsOf(b.calls), stub: undefined });
        }
        const one = (w: EachWork): void => {
          try {
            out[w.at] = { tid: w.t.tid, results: raw(w.t, w.calls, stopAtErrno).map(toResult) };
          } catch (e) {
            out[w.at] = { tid: w.t.tid, results: completedCalls(e), error: e };
          }
        };
        // A batch of several calls runs as code written into the target when it can: one stop
        // per thread instead of one per call.
        const useStub = mode === 'step' && arch.stubs !== undefined && work.length > 1 && work.some((w) => w.calls.length > 1);
        // Argument memory not mapped yet is mapped by the first thread's batch, alone: the
        // others must not run before it exists.
        let rest = work;
        while (rest.length > 0 && (arena?.pendingMmap() !== undefined || insn === undefined)) {
          // (A thread that exits before running the mmap leaves it to the next one.)
          one(rest[0]!);
          rest = rest.slice(1);
        }
        if (rest.length > 0) {
          const at = syscallInsn(rest[0]!.t);
          let stubs: StubRun[] | undefined;
          try {
            stubs = useStub ? writeStubs(rest, stopAtErrno) : undefined;
          } catch (e) {
            // No code region: the calls run one stop each, as they would without it.
            stats.warnings.push(`injected code not used: ${e instanceof Error ? e.message : String(e)}`);
          }
          const start = performance.now();
          if (stubs !== undefined) {
            stats.stubBatches += stubs.length;
            for (let i = 0; i < rest.length; i++) rest[i]!.stub = stubs[i];
          }
          const outcomes = injectMany(arch, at, rest, { mode, timeoutMs, watchSeccomp, stopAtErrno });
          for (let i = 0; i < rest.length; i++) {
            const w = rest[i]!;
            const o = outcomes[i]!;
            stats.injections += o.results.length;
            const results = o.results.map(toResult);
            out[w.at] = o.failure === undefined ? { tid: w.t.tid, results } : { tid: w.t.tid, results, error: o.failure };
          }
          stats.injectUs.push(Math.round((performance.now() - start) * 1000));
        }
        return out;
      },
      scratch(bytes) {
        if (!active) throw new NumapolError('EINVAL', 'the stopped-process session is over');
        return scratchArena().put(bytes);
      },
      readMemory: (addr, length) => {
        if (arena?.isPending(addr, length)) arena.flushPending();
        return processVmRead(mmTid(), addr, length);
      },
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
    for (let i = 0; i < traced.length; i++) {
      const t = traced[i]!;
      try {
        if (!detachThread(t, timeoutMs)) {
          linger(t);
          stats.warnings.push(`thread ${t.tid} did not stop for detach within ${timeoutMs} ms (state ${threadState(pid, t.tid) ?? 'gone'}); it stays traced until it stops: retried in the background and before the next operation on pid ${pid}`);
        }
      } catch (e) {
        detachErrors.push(e);
      }
    }
    const end = performance.now();
    stats.detachMs = end - d0;
    stats.stoppedMs = end - t0;
    loudChildStops();
    release();
    try {
      tasks.close();
    } catch (e) {
      stats.warnings.push(e instanceof Error ? e.message : String(e));
    }
    opts.onStats?.(stats);
    if (ok && detachErrors.length > 0) {
      // eslint-disable-next-line no-unsafe-finally
      throw new NumapolError('EDETACH', `pid ${pid}: could not detach ${detachErrors.length} thread(s)`, { cause: detachErrors[0] });
    }
  }
}
