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
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { NumapolError, UsageError } from '../errors.js';
import { errnoName } from '../kernel/errno.js';
import { PTRACE_O_SUSPEND_SECCOMP, PTRACE_O_TRACESYSGOOD } from '../kernel/ptrace.js';
import { processVmRead, processVmWrite, writeMemForced } from '../kernel/remote-memory.js';
import { SYSCALL_NUMBERS, type SyscallName } from '../kernel/syscall-numbers.js';
import { quietChildStops } from '../kernel/wait.js';
import { readRunnable } from '../procfs/loadavg.js';
import { adoptThread } from './adopt.js';
import { boostScheduling, type SchedulingBoost } from './boost.js';
import { currentArch, type Arch } from './arch/index.js';
import { threadExited } from './errors.js';
import { faultSeam } from './fault-seam.js';
import {
  completedBefore, injectParked, injectSyscalls, isErrnoResult, setCompletedBefore, type BatchOutcome, type InjectCall, type InjectMode, type ThreadBatch,
} from './inject.js';
import { parkSignals } from './park-signal.js';
import {
  readProcessFacts, refuseLingering, refuseSeccomp, refuseSelf, seenUnfiltered, threadState, type ProcessFacts, type SeccompPolicy,
} from './preflight.js';
import {
  CONTROL_BYTES, createRegion, DATA_BYTES, findRegion, regionRefused, sealRegion, type FoundRegion, type ParkRegion, type RegionCalls,
} from './region.js';
import { mmapFailed, ScratchArena } from './scratch.js';
import { openTasks, seizeAll, type SkippedThread } from './seize.js';
import { deferSignals } from './signal-guard.js';
import { findNetGadgets, findSyscallInstruction, syscallInsnBehind, type NetGadgets } from './syscall-insn.js';
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
   * How injected syscalls run: 'auto' (default) runs them through the park code (x86_64, no
   * seccomp filter being watched, executable memory allowed; see injection.ts) and otherwise
   * one at a time between syscall-entry and -exit stops; 'syscall-stops' forces the latter.
   */
  injection?: 'auto' | 'syscall-stops';
  /**
   * Raise this thread's scheduling priority while the process is stopped (default true), so
   * that the stop does not queue behind the target's own runnable threads: SCHED_FIFO when
   * allowed, else the lowest nice value allowed (boost.ts). Dropped back before returning.
   * Only for a process with more threads than CPUs, on a machine with more tasks runnable
   * than CPUs (/proc/loadavg): otherwise nothing queues for a CPU.
   */
  boost?: boolean;
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
  /** Threads' batches that ran through the park code (one stop each, however many calls). */
  codeBatches: number;
  /** The park region was made by this operation (the first on this process, see region.ts). */
  regionMade: boolean;
  /**
   * Calls made on their own without their safety net (no `syscall; ret` or rt_sigreturn
   * trampoline in the process, or no room below a thread's stack pointer): numapol's death
   * during one of those would have left the thread with the call's registers.
   */
  unguardedCalls: number;
  /** How this thread's scheduling was raised for the stop (boost.ts). */
  scheduling: SchedulingBoost;
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

/** How many threads each process had at its last operation: whether to raise the tracer's priority (boost.ts). */
const threadCounts = new Map<number, number>();

function rememberThreads(pid: number, n: number): void {
  threadCounts.delete(pid);
  threadCounts.set(pid, n);
  if (threadCounts.size > 4096) threadCounts.delete(threadCounts.keys().next().value as number);
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

const isErrnoRet = isErrnoResult;
const PROT_READ_WRITE = 3n;
const MAP_PRIVATE_ANONYMOUS = 0x22n;

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
  const wantCode = arch.park !== undefined && opts.injection !== 'syscall-stops';

  const tasks = openTasks(pid);
  const release = deferSignals();
  const loudChildStops = quietChildStops();
  // Only a process with more threads than CPUs can keep some of them runnable but not running,
  // which a stop waits for (a running thread is stopped at once by an interrupt); and only
  // when more tasks are runnable than there are CPUs does the tracer wait for one. On an idle
  // machine there is nothing to get ahead of, and each wait of a real-time tracer costs more.
  const cpus = os.availableParallelism();
  const boost = boostScheduling((opts.boost ?? true) && (facts?.threads ?? threadCounts.get(pid) ?? Infinity) > cpus && (readRunnable() ?? Infinity) > cpus);
  const traced: TracedThread[] = [];
  const stats: SessionStats = {
    threads: 0, seizePasses: 0, seizeMs: 0, stoppedMs: 0, detachMs: 0, injections: 0, injectUs: [], injectionMode: 'syscall-stops', codeBatches: 0, regionMade: false, unguardedCalls: 0, scheduling: boost.how, warnings: [],
  };
  const t0 = performance.now();
  let arena: ScratchArena | undefined;
  let insn: bigint | undefined;
  /** The park region: undefined until looked for, null when there is none and none can be made. */
  let region: FoundRegion | null | undefined;
  let regionLooked = false;
  let active = true;
  let ok = false;
  /** Unmaps the memory mapped for this operation (set once the ways to run calls exist). */
  let unmapScratch: (() => void) | undefined;
  try {
    // While threads are still on their way to their stop, read what the injections into the
    // ones already stopped will need (registers, the park region, a syscall instruction):
    // reads only, so the rule that nothing changes before the whole process stands still holds.
    let prefetched = 0;
    const prefetch = (): void => {
      // The status file first, when it was not read before the stop: it is the slowest read,
      // and what it says (seccomp, signal dispositions) decides whether and how to inject.
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
          if (wantCode && !regionLooked) {
            regionLooked = true;
            region = findRegion(pid, t.tid, arch.park!);
          } else if (insn === undefined) {
            insn = syscallInsnBehind(t, arch);
          }
        } catch {
          // Left for the injection, which reports what fails.
        }
        return;
      }
    };
    const seized = seizeAll(pid, tasks, options, timeoutMs, traced, prefetch);
    // Every thread is stopped: none of the target's competes with this one any more.
    boost.lower();
    faultSeam('seized');
    facts ??= readProcessFacts(pid);
    if (!readFirst) refuseSeccomp(facts, seccomp);
    const watchSeccomp = facts.seccomp === 2 && seccomp === 'allow';
    let mode: InjectMode = wantCode && !watchSeccomp ? 'code' : 'syscall-stops';
    const park = parkSignals(facts.sigIgn, facts.sigCgt);
    stats.seizeMs = performance.now() - t0;
    stats.seizePasses = seized.passes;
    const byTid = new Map(traced.filter((t) => t.alive).map((t) => [t.tid, t] as const));
    stats.threads = byTid.size;
    rememberThreads(pid, traced.length);

    // The leader may be a zombie without an mm: reach the address space through a live thread.
    const mmTid = (): number => traced.find((x) => x.alive)?.tid ?? pid;
    if (wantCode && !regionLooked) {
      regionLooked = true;
      region = findRegion(pid, mmTid(), arch.park!);
    }
    // Threads a numapol that died left in the park code get their own state back first.
    if (region) {
      for (let i = 0; i < traced.length; i++) {
        try {
          if (adoptThread(traced[i]!, arch, region)) stats.warnings.push(`thread ${traced[i]!.tid} was still in the park code of an earlier numapol: given its own state back`);
        } catch (e) {
          stats.warnings.push(`thread ${traced[i]!.tid}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
    stats.injectionMode = mode;
    const syscallInsn = (t: TracedThread): bigint => {
      if (insn === undefined) {
        try {
          insn = syscallInsnBehind(t, arch) ?? findSyscallInstruction(mmTid(), arch);
        } catch (e) {
          const state = threadState(pid, t.tid);
          const gone = (e as { code?: string }).code === 'ESRCH' || state === undefined || state === 'Z' || state === 'X';
          if (gone) throw threadExited(pid, t.tid, 'before the injected syscall');
          throw e;
        }
      }
      return insn;
    };
    const anyStopped = (): TracedThread => {
      const t = traced.find((x) => x.ready);
      if (t === undefined) throw new NumapolError('ETHREADEXIT', `pid ${pid} has no stopped thread left`);
      return t;
    };
    const timed = <R>(n: () => number, run: () => R): R => {
      const start = performance.now();
      try {
        return run();
      } finally {
        stats.injections += n();
        stats.injectUs.push(Math.round((performance.now() - start) * 1000));
      }
    };
    /** The safety net of one-shot calls (x86_64-frame.ts): looked for once, null when the process has none. */
    let net: NetGadgets | null | undefined;
    const netGadgets = (): NetGadgets | undefined => {
      if (net === undefined) {
        try {
          net = findNetGadgets(mmTid(), arch) ?? null;
        } catch {
          net = null;
        }
        if (net === null && arch.netGadgets !== undefined) stats.warnings.push(`pid ${pid} has no syscall; ret and rt_sigreturn sequences: calls made on their own run without their safety net`);
      }
      return net ?? undefined;
    };
    const onUnguarded = (): void => {
      stats.unguardedCalls++;
    };
    /** Calls in one thread, each on its own (no park code). */
    const oneShots = (t: TracedThread, calls: readonly InjectCall[], stopAtErrno = false): bigint[] => {
      let n = 0;
      return timed(() => n, () => {
        try {
          const g = netGadgets();
          if (g === undefined) stats.unguardedCalls += calls.length;
          const r = injectSyscalls(t, arch, syscallInsn(t), calls, { mode: 'syscall-stops', timeoutMs, watchSeccomp, stopAtErrno, onUnguarded, ...(g === undefined ? {} : { net: g }) });
          n = r.length;
          return r;
        } catch (e) {
          n = completedBefore(e).length;
          throw e;
        }
      });
    };
    /** Threads' batches through the park code; the memory for their slots is given back after. */
    const parked = (batches: readonly ThreadBatch[], stopAtErrno: boolean, at?: bigint): BatchOutcome[] => {
      const r = region as FoundRegion;
      const a = at === undefined ? scratchArena() : arena!;
      const mark = a.mark();
      let out: BatchOutcome[] = [];
      try {
        out = injectParked(arch, batches, { mode: 'code', timeoutMs, stopAtErrno }, { region: r, arena: a, signals: park.mask, ...(at === undefined ? {} : { at }) });
        return out;
      } finally {
        stats.codeBatches += batches.length;
        // A thread the tracer could not take back still runs the code with its slot.
        if (at === undefined && batches.every((b) => b.t.phase !== 'injecting')) a.reset(mark);
      }
    };
    /** Calls of the region's own (mapping memory) on any stopped thread, with the control slot. */
    const controlCalls = (calls: { nr: number; args: bigint[] }[], r: ParkRegion = region as FoundRegion): bigint[] => {
      const t = anyStopped();
      stats.codeBatches++;
      const [o] = timed(() => calls.length, () => injectParked(arch, [{ t, calls }], { mode: 'code', timeoutMs }, {
        region: r, arena: arena!, signals: park.mask, at: r.data,
      }));
      if (o?.failure !== undefined) throw o.failure;
      return [...(o?.results ?? [])];
    };
    const regionCalls = (): RegionCalls => ({
      nr: numbers,
      oneShot: (nr, args) => oneShots(anyStopped(), [{ nr, args }])[0] as bigint,
      parked: (r, calls) => controlCalls(calls, r),
      write: (addr, bytes) => processVmWrite(mmTid(), addr, bytes),
      writeForced: (addr, bytes) => writeMemForced(mmTid(), addr, bytes),
    });
    /** The park region, made if there is none: false when this process cannot have one. */
    const ensureRegion = (): boolean => {
      if (mode !== 'code') return false;
      if (region === null) return false;
      if (region === undefined && regionRefused(pid)) {
        region = null;
        mode = 'syscall-stops';
        stats.injectionMode = mode;
        return false;
      }
      if (region !== undefined) {
        if (!region.sealed) {
          stats.warnings.push(...sealRegion(pid, region, regionCalls()));
          region = { ...region, sealed: true };
        }
        return true;
      }
      const made = createRegion(pid, arch.park!, regionCalls());
      if (made === undefined) {
        region = null;
        mode = 'syscall-stops';
        stats.injectionMode = mode;
        stats.warnings.push(`pid ${pid} may not have executable memory of numapol's making: each call runs on its own`);
        return false;
      }
      region = { ...made.region, sealed: true };
      stats.regionMade = true;
      stats.warnings.push(...made.warnings);
      return true;
    };
    const scratchArena = (): ScratchArena => {
      if (arena !== undefined) return arena;
      if (ensureRegion()) {
        const r = region as FoundRegion;
        arena = new ScratchArena(mmTid(), (size) => {
          const [ret] = controlCalls([{ nr: numbers.mmap, args: [0n, BigInt(size), PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1n, 0n] }]);
          if (ret === undefined || isErrnoRet(ret)) throw mmapFailed(pid, size, Number(-(ret ?? -5n)));
          return BigInt.asUintN(64, ret);
        }, { addr: r.data + BigInt(CONTROL_BYTES), size: DATA_BYTES - CONTROL_BYTES });
      } else {
        arena = new ScratchArena(mmTid(), (size) => {
          const [ret] = oneShots(anyStopped(), [{ nr: numbers.mmap, args: [0n, BigInt(size), PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1n, 0n] }]);
          if (ret === undefined || isErrnoRet(ret)) throw mmapFailed(pid, size, Number(-(ret ?? -5n)));
          return BigInt.asUintN(64, ret);
        });
      }
      return arena;
    };
    /** Runs `calls` in thread `t`, the way this session runs calls. */
    const raw = (t: TracedThread, calls: readonly InjectCall[], stopAtErrno = false): bigint[] => {
      scratchArena();
      if (mode !== 'code') return oneShots(t, calls, stopAtErrno);
      let n = 0;
      return timed(() => n, () => {
        const [o] = parked([{ t, calls }], stopAtErrno);
        n = o?.results.length ?? 0;
        if (o?.failure !== undefined) {
          setCompletedBefore(o.failure, [...o.results]);
          throw o.failure;
        }
        return [...(o?.results ?? [])];
      });
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

    unmapScratch = (): void => {
      if (arena === undefined) return;
      const made = arena.takeMappings();
      if (made.length > 0) {
        try {
          const calls = made.map((m) => ({ nr: numbers.munmap, args: [m.addr, BigInt(m.size)] }));
          const results: bigint[] = [];
          // The control slot holds a few calls at a time.
          for (let i = 0; i < calls.length; i += 8) {
            const part = calls.slice(i, i + 8);
            results.push(...(region ? controlCalls(part) : oneShots(anyStopped(), part)));
          }
          results.forEach((r, i) => {
            if (r !== 0n) stats.warnings.push(`pid ${pid}: munmap of the scratch mapping at 0x${made[i]!.addr.toString(16)} failed with errno ${-r}`);
          });
        } catch (e) {
          stats.warnings.push(`pid ${pid}: scratch mappings left (${made.map((m) => `0x${m.addr.toString(16)}+${m.size}`).join(', ')}): ${e instanceof Error ? e.message : String(e)}`);
        }
      }
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
        const work: { at: number; t: TracedThread; calls: InjectCall[] }[] = [];
        for (let i = 0; i < batches.length; i++) {
          const b = batches[i]!;
          if (b.calls.length > 0) work.push({ at: i, t: threadOf(b.tid), calls: callsOf(b.calls) });
        }
        if (work.length === 0) return out;
        scratchArena();
        if (mode !== 'code') {
          for (const w of work) {
            try {
              out[w.at] = { tid: w.t.tid, results: oneShots(w.t, w.calls, stopAtErrno).map(toResult) };
            } catch (e) {
              out[w.at] = { tid: w.t.tid, results: completedCalls(e), error: e };
            }
          }
          return out;
        }
        let outcomes: BatchOutcome[] = [];
        timed(() => outcomes.reduce((n, o) => n + o.results.length, 0), () => {
          outcomes = parked(work, stopAtErrno);
        });
        for (let i = 0; i < work.length; i++) {
          const w = work[i]!;
          const o = outcomes[i]!;
          const results = o.results.map(toResult);
          out[w.at] = o.failure === undefined ? { tid: w.t.tid, results } : { tid: w.t.tid, results, error: o.failure };
        }
        return out;
      },
      scratch(bytes) {
        if (!active) throw new NumapolError('EINVAL', 'the stopped-process session is over');
        return scratchArena().put(bytes);
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
    try {
      unmapScratch?.();
    } catch (e) {
      stats.warnings.push(e instanceof Error ? e.message : String(e));
    }
    // Each thread released runs again: the ones still to release must not wait behind them.
    boost.raise();
    const d0 = performance.now();
    const detachErrors: unknown[] = [];
    for (let i = 0; i < traced.length; i++) {
      const t = traced[i]!;
      try {
        if (!detachThread(t, timeoutMs)) {
          linger(t);
          stats.warnings.push(`thread ${t.tid} did not stop for detach within ${timeoutMs} ms (state ${threadState(pid, t.tid) ?? 'gone'}); it stays traced until it stops: retried in the background and before the next operation on pid ${pid}`);
        }
        faultSeam('detached', t.tid);
      } catch (e) {
        detachErrors.push(e);
      }
    }
    const end = performance.now();
    stats.detachMs = end - d0;
    stats.stoppedMs = end - t0;
    boost.restore();
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
