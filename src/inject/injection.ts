/**
 * One thread's injection as an explicit state machine, so that many threads can have theirs in
 * flight at once (see runInjections). The steps are those of the design note (step 4): save the
 * thread's registers and signal mask, run each call at an existing syscall instruction, come
 * back to a stop inside get_signal and restore there, where the kernel applies its
 * syscall-restart rules to the restored registers (a thread blocked in read/futex restarts
 * instead of seeing 512).
 *
 * Two ways to run one call:
 * - 'step' (x86_64): PTRACE_SINGLESTEP from the `syscall` instruction runs the whole syscall and
 *   stops once, at a SIGTRAP signal-delivery-stop on the way back to user mode (the kernel's
 *   single-step report at syscall exit). One stop per call instead of two. The SIGTRAP is
 *   forced on the thread; forcing a signal that is blocked or ignored would reset the target's
 *   SIGTRAP disposition to SIG_DFL, so SIGTRAP stays unblocked in the injection mask, and a
 *   target that ignores SIGTRAP gets the other way. We never deliver the trap (resume with 0).
 * - 'syscall-stops': PTRACE_SYSCALL to the syscall-entry stop, again to the exit stop. Used when
 *   stepping is not safe: SIGTRAP ignored by the target, or a seccomp filter we must watch.
 *
 * 'syscall-stops' leaves the last call's stop with PTRACE_INTERRUPT + PTRACE_CONT, so the thread
 * never returns to user mode with our registers, and restores at the event stop it reaches.
 * 'step' restores at the last call's SIGTRAP stop itself: that stop is inside get_signal too,
 * so the restart rules apply to the restored registers all the same, and the thread stays
 * there ('trapped') until it is injected again or detached with signal 0, which drops the trap
 * and clears the trap flag the kernel set for stepping. Going on to an event stop instead would
 * cost every thread one more wake-up. The price: if numapol is SIGKILLed while threads are
 * trapped, the kernel delivers them the SIGTRAP (default action: the process dumps core), just
 * as it would crash a thread killed mid-call with our registers; SIGINT/SIGTERM/SIGHUP/SIGQUIT
 * wait for the operation to finish (signal-guard.ts).
 */
import { performance } from 'node:perf_hooks';
import { NumapolError } from '../errors.js';
import {
  getRseqConfiguration, getSiginfo, getSigmask, lastRegs, ptraceCont, ptraceInterrupt, ptraceSingleStep,
  ptraceSyscall, readRegs, regsArea, sendRegs, setRegs, setSigmask, tgkill,
} from '../kernel/ptrace.js';
import { processVmRead, processVmReadMany } from '../kernel/remote-memory.js';
import { readI64, readU64 } from '../kernel/words.js';
import { isEventStop, isSignalDeliveryStop, isSyscallStop, SIGTRAP, type WaitStatus } from '../kernel/wait.js';
import type { Arch, StubEntry } from './arch/index.js';
import { isErrno, stopTimeout, threadExited } from './errors.js';
import { ALL_SIGNALS, signalBit, SIGTRAP_BIT, STEP_MASK } from './signal-masks.js';
import { threadPending, threadState } from './preflight.js';
import { nativeRegs, onInitialStatus, ownRegs, pollStatus, type RseqSection, type TracedThread } from './thread-state.js';

export type { RseqSection } from './thread-state.js';

export type InjectMode = 'step' | 'syscall-stops';

/** One syscall to run: number and raw arguments. */
export interface InjectCall {
  readonly nr: number;
  readonly args: readonly bigint[];
}

export interface InjectOptions {
  readonly mode: InjectMode;
  /** Longest wait for any one stop, in ms. */
  readonly timeoutMs: number;
  /** The target has a seccomp filter and we run under it: look for a SIGSYS it may force. */
  readonly watchSeccomp?: boolean;
  /** Stop the batch after the first call that returns -errno (later calls are not run). */
  readonly stopAtErrno?: boolean;
  /**
   * Called with each call's raw result while the thread is still stopped, before the next call
   * runs (e.g. to fill memory the call just mapped). Throwing ends the batch there. Not called
   * for calls run as a stub: their results are read after every thread has trapped.
   */
  readonly afterCall?: (index: number, result: bigint) => void;
}

/** Signals the kernel forces on a thread for a fault at its own instruction (never re-queued). */
const FAULT_SIGNALS = new Set([4, 5, 7, 8, 11, 31]);
const SIGSYS = 31;
const SIGSYS_BIT = signalBit(SIGSYS);
/** A thread that keeps reporting stops that are not the one awaited is broken somehow. */
const MAX_ROUNDS = 100;
/** Signals given to the program before injected code could start, in a row (see deliver). */
const MAX_RESTARTS = 20;

/** True for a raw result in [-4095, -1]: the target's -errno. */
export function isErrnoResult(r: bigint): boolean {
  return r < 0n && r >= -4095n;
}

function seccompRejected(t: TracedThread, nr: number): NumapolError {
  return new NumapolError('ESECCOMP', `the seccomp filter of pid ${t.pid} forbids syscall ${nr} (it answered with SIGSYS, which would have killed or trapped the program); the call was not made and the signal was not delivered`, {
    details: { pid: t.pid, tid: t.tid, nr },
  });
}

/** A status that is not a stop: the thread died. */
function died(t: TracedThread, s: WaitStatus, what: string, nr: number): NumapolError {
  t.phase = 'gone';
  if (s.kind === 'killed' && s.signal === SIGSYS) {
    return new NumapolError('ESECCOMP', `pid ${t.pid} was killed by its seccomp filter (SIGSYS) when thread ${t.tid} ran the injected syscall ${nr}`, {
      details: { pid: t.pid, tid: t.tid },
    });
  }
  return threadExited(t.pid, t.tid, `${what} (${s.kind === 'killed' ? `killed by signal ${s.signal}` : s.kind === 'exited' ? `exit status ${s.code}` : 'stopped'})`);
}

function faulted(t: TracedThread, signal: number, what: string): NumapolError {
  return new NumapolError('EFAULT', `thread ${t.tid} of pid ${t.pid} faulted (signal ${signal}) ${what}; the signal was not delivered`, {
    details: { pid: t.pid, tid: t.tid, signal },
  });
}

/**
 * Waits for the next event stop of a thread that is running under our trace. Signals met on
 * the way are not delivered: faults (our registers caused them) are returned, others are
 * pushed on `requeue` to be re-queued after the restore.
 */
export function waitEventStop(t: TracedThread, timeoutMs: number, what: string, requeue: number[]): number[] {
  const deadline = performance.now() + timeoutMs;
  const faults: number[] = [];
  for (;;) {
    const s = pollStatus(t, deadline);
    if (s === undefined) throw stopTimeout(t.pid, t.tid, timeoutMs, threadState(t.pid, t.tid), what);
    if (s.kind !== 'stopped') {
      t.phase = 'gone';
      throw threadExited(t.pid, t.tid, what);
    }
    if (isEventStop(s)) return faults;
    if (isSignalDeliveryStop(s)) (FAULT_SIGNALS.has(s.signal) ? faults : requeue).push(s.signal);
    // Any other stop consumed the pending interrupt: ask again.
    ptraceInterrupt(t.tid);
    ptraceCont(t.tid, 0);
  }
}

/** struct rseq_cs: u32 version, u32 flags, u64 start_ip, u64 post_commit_offset, u64 abort_ip. */
function readRseqCs(tid: number, csPtr: bigint): RseqSection | null {
  const cs = processVmRead(tid, csPtr, 32);
  if (cs.length < 32) return null;
  return { start: readU64(cs, 8), length: readU64(cs, 16), abort: readU64(cs, 24) };
}

/** The thread's rseq critical section, null when it registered none or is in none. */
function rseqSection(t: TracedThread): RseqSection | null {
  const cfg = getRseqConfiguration(t.tid);
  if (cfg === undefined || cfg.abiPointer === 0n) return null;
  // struct rseq: u32 cpu_id_start, u32 cpu_id, u64 rseq_cs (pointer to struct rseq_cs).
  const head = processVmRead(t.tid, cfg.abiPointer + 8n, 8);
  if (head.length < 8) return null;
  const csPtr = readU64(head, 0);
  return csPtr === 0n ? null : readRseqCs(t.tid, csPtr);
}

/**
 * Finds the rseq section of each of `ts` not known yet (TracedThread.rseq), reading all their
 * rseq areas with one process_vm_readv instead of one each. Where it cannot tell, it leaves the
 * thread's unknown: its injection reads it again and reports what fails.
 */
export function learnRseqSections(ts: readonly TracedThread[], arch: Arch): void {
  const todo = ts.filter((t) => t.rseq === undefined && t.ready && !outsideRseq(t, arch));
  if (todo.length === 0) return;
  const cfgs = todo.map((t) => {
    try {
      return getRseqConfiguration(t.tid);
    } catch {
      return undefined;
    }
  });
  const asked = todo.map((_, i) => i).filter((i) => (cfgs[i]?.abiPointer ?? 0n) !== 0n);
  cfgs.forEach((c, i) => {
    if (c !== undefined && c.abiPointer === 0n) todo[i]!.rseq = null;
  });
  if (asked.length === 0) return;
  const heads = processVmReadMany(todo[0]!.tid, asked.map((i) => ({ addr: cfgs[i]!.abiPointer + 8n, length: 8 })));
  asked.forEach((i, k) => {
    const h = heads[k];
    if (h === undefined) return;
    const csPtr = readU64(h, 0);
    try {
      todo[i]!.rseq = csPtr === 0n ? null : readRseqCs(todo[i]!.tid, csPtr);
    } catch {
      // Left unknown.
    }
  });
}

/**
 * True when the thread cannot be inside an rseq critical section because it is inside a
 * syscall (a critical section makes none: rseq(2)); its section is then known to be none. A
 * thread stopped in user mode, or whose registers cannot be read, has to be looked at.
 */
function outsideRseq(t: TracedThread, arch: Arch): boolean {
  const regs = nativeRegs(t, arch);
  if (regs === undefined || !arch.inSyscall(regs)) return false;
  t.rseq = null;
  return true;
}

/**
 * rseq (restartable sequences): a thread stopped inside its critical section must resume at the
 * abort handler, as the kernel would make it after preemption; our injection makes the kernel
 * forget the section (it clears rseq_cs when it sees our instruction pointer).
 */
function rseqFixup(arch: Arch, saved: Buffer, cs: RseqSection | null): Buffer {
  if (cs === null) return saved;
  const ip = arch.instructionPointer(saved);
  if (ip >= cs.start && ip - cs.start < cs.length) return arch.withInstructionPointer(saved, cs.abort);
  return saved;
}

/** SIGSYS in the thread's private pending set (/proc/PID/task/TID/status SigPnd, bit 30). */
function sigsysPending(t: TracedThread): boolean {
  return (threadPending(t.pid, t.tid) & SIGSYS_BIT) !== 0n;
}

/**
 * What the thread is waiting for: a call's single-step trap, its syscall-entry or -exit stop,
 * or (syscall-stops) the event stop after the last call.
 */
type Waiting = 'step' | 'entry' | 'exit' | 'final' | 'stub' | 'restop';

/**
 * A batch written as machine code into the target (arch.stubs): the thread runs it from `entry`
 * and ends in a trap; the results are then the 64-bit words at the start of its slot area,
 * STUB_NOT_RUN where the code stopped early, and the code's own rt_sigprocmask's result and the
 * mask it found follow them (StubCode). Only with 'step' (the trap is a forced SIGTRAP, like a
 * single-step).
 */
export interface StubRun extends StubEntry {
  /** The final int3: a thread stopped here has the program's signal mask back. */
  readonly trap: bigint;
}

/** An Injection's registers before begin() has read them (one shared empty buffer, not two per thread). */
const NO_REGS = Buffer.alloc(0);

/** What a stub's result slot holds until its call runs (no syscall returns it). */
export const STUB_NOT_RUN = -(1n << 63n);

/**
 * Where the mask words lie in the slot area of a stub of `callCount` calls: after its results
 * (StubCode). They are two: the code's own rt_sigprocmask's result, then the mask it found.
 */
export function stubMaskWordsAt(callCount: number): number {
  return 8 * callCount;
}

type Stop = Extract<WaitStatus, { kind: 'stopped' }>;

/**
 * One thread's batch of calls. `begin()` saves its state and starts the first call; each wait
 * status of the thread goes to `onStatus()` until `done`. Then `results` holds the raw result
 * register (signed) of each call run (for a stub, once stubResultsFrom has read its slots), and
 * `failure` a transport failure, if any: the thread is by then back in its own registers and
 * mask whenever it is alive.
 */
export class Injection {
  readonly results: bigint[] = [];
  failure: unknown;
  done = false;
  /** When the stop awaited now is late (performance.now() ms). */
  deadline = 0;
  private waiting: Waiting = 'step';
  private rounds = 0;
  private restarts = 0;
  /** After a signal given to the program (waiting 'restop'): run the code again, or done. */
  private restopThen: 'restart' | 'done' = 'done';
  private saved: Buffer = NO_REGS;
  private restore: Buffer = NO_REGS;
  private mask = 0n;
  private readonly requeue: number[] = [];
  private sigsysPendingBefore = false;
  private foreign = false;
  private readonly after: bigint;

  constructor(
    readonly t: TracedThread,
    private readonly arch: Arch,
    private readonly insn: bigint,
    private readonly calls: readonly InjectCall[],
    private readonly opts: InjectOptions,
    private readonly stub?: StubRun,
  ) {
    this.after = insn + BigInt(arch.syscallInsn.length);
    if (stub !== undefined && opts.mode !== 'step') throw new RangeError('a stub runs only in step mode');
  }

  get stubRun(): StubRun | undefined {
    return this.stub;
  }

  get callCount(): number {
    return this.calls.length;
  }

  private get nr(): number {
    if (this.waiting === 'stub') return -1;
    return this.calls[this.results.length]?.nr ?? this.calls[this.calls.length - 1]?.nr ?? -1;
  }

  private what(): string {
    if (this.waiting === 'stub') return 'in the injected code';
    if (this.waiting === 'restop') return 'while it took a signal of its own';
    return this.waiting === 'entry' ? `entering the injected syscall ${this.nr}`
      : this.waiting === 'final' ? 'after the injected syscall' : `in the injected syscall ${this.nr}`;
  }

  /** Saves the thread's registers and mask and starts the first call. */
  begin(): void {
    const { t, arch } = this;
    if (!t.ready) {
      this.fail(new NumapolError('EINVAL', `thread ${t.tid} is ${t.phase}, not stopped`));
      return;
    }
    try {
      this.saved = ownRegs(t, arch);
      if (this.stub === undefined) {
        t.sigmask ??= getSigmask(t.tid);
        this.mask = t.sigmask;
      }
    } catch (e) {
      if (isErrno(e, 'ESRCH')) {
        t.phase = 'gone';
        this.fail(threadExited(t.pid, t.tid, 'before the injected syscall'));
        return;
      }
      this.fail(e);
      return;
    }
    if (this.saved.length !== arch.regsSize) {
      this.fail(new NumapolError('ECOMPAT', `thread ${t.tid} of pid ${t.pid} runs in 32-bit compat mode (register set of ${this.saved.length} bytes); only native ${arch.name} processes are supported`, {
        details: { pid: t.pid, tid: t.tid },
      }));
      return;
    }
    try {
      if (t.rseq === undefined && !outsideRseq(t, arch)) t.rseq = rseqSection(t);
      this.restore = rseqFixup(arch, this.saved, t.rseq ?? null);
      this.sigsysPendingBefore = (this.opts.watchSeccomp ?? false) && sigsysPending(t);
      t.phase = 'injecting';
      // Injected code blocks signals itself (x86_64-stub.ts).
      if (this.stub === undefined) setSigmask(t.tid, this.opts.mode === 'step' ? STEP_MASK : ALL_SIGNALS);
      this.foreign = true;
      this.next();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Starts the next call, or finishes when there is none. */
  private next(): void {
    const call = this.calls[this.results.length];
    if (call === undefined) {
      this.finish();
      return;
    }
    if (this.stub !== undefined) {
      this.arch.writeStubRegs(regsArea(), this.saved, this.stub);
      sendRegs(this.t.tid, this.saved.length);
      this.rounds = 0;
      this.waiting = 'stub';
      this.resume();
      return;
    }
    this.arch.writeInjectedRegs(regsArea(), this.saved, this.insn, call.nr, call.args);
    sendRegs(this.t.tid, this.saved.length);
    this.rounds = 0;
    if (this.opts.mode === 'step') {
      this.waiting = 'step';
      this.resume();
    } else {
      this.waiting = 'entry';
      this.resume();
    }
  }

  /** Lets the thread go on towards the stop awaited. */
  private resume(): void {
    this.deadline = performance.now() + this.opts.timeoutMs;
    if (this.waiting === 'step') ptraceSingleStep(this.t.tid, 0);
    else if (this.waiting === 'stub') ptraceCont(this.t.tid, 0);
    else if (this.waiting === 'final') {
      ptraceInterrupt(this.t.tid);
      ptraceCont(this.t.tid, 0);
    } else ptraceSyscall(this.t.tid, 0);
  }

  /** The awaited stop did not come in time. */
  onTimeout(): void {
    this.fail(stopTimeout(this.t.pid, this.t.tid, this.opts.timeoutMs, threadState(this.t.pid, this.t.tid), this.what()));
  }

  /** Feeds one wait status of the thread. */
  onStatus(s: WaitStatus): void {
    try {
      this.advance(s);
    } catch (e) {
      this.fail(e);
    }
  }

  private advance(s: WaitStatus): void {
    const { t } = this;
    if (s.kind !== 'stopped') {
      if (this.waiting === 'final') {
        t.phase = 'gone';
        throw threadExited(t.pid, t.tid, this.what());
      }
      throw died(t, s, this.what(), this.nr);
    }
    if (this.rounds++ > MAX_ROUNDS) throw new NumapolError('EPROTO', `thread ${t.tid} of pid ${t.pid} keeps stopping ${this.what()}`);
    switch (this.waiting) {
      case 'step': return this.onStepStatus(s);
      case 'entry':
      case 'exit': return this.onSyscallStatus(s);
      case 'final': return this.onFinalStatus(s);
      case 'stub': return this.onStubStatus(s);
      case 'restop': return this.onRestopStatus(s);
    }
  }

  private onStubStatus(s: Stop): void {
    const { t, arch } = this;
    const stub = this.stub!;
    if (isSignalDeliveryStop(s)) {
      // The kernel's SIGTRAP (si_code > 0) comes from the code's final int3, its only trapping
      // instruction (no trap flag is set); one sent by a process has si_code <= 0.
      if (s.signal === SIGTRAP && getSiginfo(t.tid).code > 0) {
        this.finish();
        return;
      }
      // Any other signal: where the thread stands tells whose mask let it through.
      const ip = arch.instructionPointer(lastRegs(readRegs(t.tid, arch.regsSize)));
      if (ip === stub.entry) {
        // Due before the code's first instruction, under the program's own mask: the program
        // would have had it now. It gets it, with its siginfo, and the code runs after.
        this.deliver(s.signal, 'restart');
        return;
      }
      if (ip === stub.trap) {
        // Came while the code ran, delivered once it put the program's mask back: the calls
        // are done. (The code left SIGTRAP unblocked: one the program blocks stays pending.)
        const mask = this.programMask();
        if (mask !== undefined && (mask & signalBit(s.signal)) !== 0n) {
          this.requeue.push(s.signal);
          this.finish();
        } else {
          this.deliver(s.signal, 'done');
        }
        return;
      }
      if (FAULT_SIGNALS.has(s.signal)) throw faulted(t, s.signal, 'in the injected code');
      // SIGSTOP (never blocked), or a SIGTRAP someone sent: out of the way, re-queued later.
      this.requeue.push(s.signal);
    }
    this.resume();
  }

  /**
   * Gives `signal`, dequeued at this stop, to the program as if we had not been there: its own
   * registers back (the kernel's restart rules then apply to them as usual), then resumed with
   * the signal, which keeps its siginfo. It stops again afterwards ('restop'); then the code
   * runs from a fresh start, or, when it had run, the injection is done.
   */
  private deliver(signal: number, then: 'restart' | 'done'): void {
    const { t } = this;
    setRegs(t.tid, this.restore);
    this.foreign = false;
    // Its registers, mask and rseq section will be those of its signal handler.
    t.regs = undefined;
    t.sigmask = undefined;
    t.rseq = undefined;
    ptraceInterrupt(t.tid);
    ptraceCont(t.tid, signal);
    this.waiting = 'restop';
    this.restopThen = then;
    this.rounds = 0;
    this.deadline = performance.now() + this.opts.timeoutMs;
  }

  /** On the way back to a stop after deliver(): the program runs its own code meanwhile. */
  private onRestopStatus(s: Stop): void {
    const { t } = this;
    // Like a thread just seized: signals met on the way are the program's and go to it.
    if (!onInitialStatus(t, s)) return;
    if (t.phase === 'gone') throw threadExited(t.pid, t.tid, this.what());
    if (this.restopThen === 'done') {
      this.requeueSignals();
      this.done = true;
      return;
    }
    if (++this.restarts > MAX_RESTARTS) {
      throw new NumapolError('EPROTO', `thread ${t.tid} of pid ${t.pid} took a signal each time before the injected code could start (${MAX_RESTARTS} times)`, {
        details: { pid: t.pid, tid: t.tid },
      });
    }
    this.begin();
  }

  /**
   * The program's signal mask as the code found it, put back exactly (the code leaves SIGTRAP
   * unblocked). Undefined when the code did not block signals, so the mask was never changed.
   */
  private programMask(): bigint | undefined {
    const { t } = this;
    const m = processVmRead(t.tid, this.stub!.slots + BigInt(stubMaskWordsAt(this.calls.length)), 16);
    if (m.length < 16 || readI64(m, 0) !== 0n) return undefined;
    const mask = readU64(m, 8);
    setSigmask(t.tid, mask);
    t.sigmask = mask;
    return mask;
  }

  /**
   * Takes the stub's results from `mem`, a copy of target memory starting at address `base`.
   * The caller reads every thread's slots in one go once all have trapped (injectMany).
   */
  stubResultsFrom(mem: Buffer, base: bigint): void {
    const { stub, t } = this;
    if (stub === undefined) return;
    if (this.results.length === 0) {
      const at = Number(stub.slots - base);
      for (let i = 0; i < this.calls.length && at + 8 * i + 8 <= mem.length; i++) {
        const r = readI64(mem, at + 8 * i);
        if (r === STUB_NOT_RUN) break;
        this.results.push(r);
      }
    }
    const m = Number(stub.slots - base) + stubMaskWordsAt(this.calls.length);
    if (m + 16 > mem.length) return;
    const blocked = readI64(mem, m);
    if (blocked === STUB_NOT_RUN) return;
    if (blocked !== 0n) {
      this.failure ??= new NumapolError('EPROTO', `thread ${t.tid} of pid ${t.pid} could not block its signals for the injected code (errno ${-blocked}); none of its calls ran`, {
        details: { pid: t.pid, tid: t.tid },
      });
      return;
    }
    const mask = readU64(mem, m + 8);
    t.sigmask = mask;
    // The code put the mask back with SIGTRAP unblocked, for its int3: block it again.
    if ((mask & SIGTRAP_BIT) !== 0n && t.phase === 'trapped') {
      try {
        setSigmask(t.tid, mask);
      } catch (e) {
        this.failure ??= e;
      }
    }
  }

  private onStepStatus(s: Stop): void {
    const { t, arch } = this;
    if (isSignalDeliveryStop(s)) {
      if (s.signal === SIGTRAP) {
        const len = readRegs(t.tid, arch.regsSize);
        const regs = lastRegs(len);
        const ip = arch.instructionPointer(regs);
        const result = arch.syscallResult(regs);
        // A SIGTRAP sent by a process (si_code <= 0) is the program's: give it back later.
        if (getSiginfo(t.tid).code <= 0) this.requeue.push(SIGTRAP);
        if (ip === this.after) {
          this.completed(result);
          return;
        }
        if (ip !== this.insn) {
          throw new NumapolError('EPROTO', `thread ${t.tid} of pid ${t.pid} stopped at 0x${ip.toString(16)} ${this.what()}, expected 0x${this.after.toString(16)}`, {
            details: { pid: t.pid, tid: t.tid },
          });
        }
        // Trapped before running the instruction (a SIGTRAP from elsewhere): step again.
      } else if (FAULT_SIGNALS.has(s.signal)) {
        throw s.signal === SIGSYS ? seccompRejected(t, this.nr) : faulted(t, s.signal, this.what());
      } else {
        // SIGSTOP and the like cannot be blocked: take them out of the way, re-queue later.
        this.requeue.push(s.signal);
      }
    }
    // Event stops (a group-stopped process reports one on resume): step again.
    this.resume();
  }

  private onSyscallStatus(s: Stop): void {
    const { t, arch } = this;
    if (isSyscallStop(s)) {
      if (this.waiting === 'entry') {
        this.waiting = 'exit';
        this.resume();
        return;
      }
      readRegs(t.tid, arch.regsSize);
      this.completed(arch.syscallResult(lastRegs(arch.regsSize)));
      return;
    }
    if (isSignalDeliveryStop(s)) {
      if (FAULT_SIGNALS.has(s.signal)) throw faulted(t, s.signal, this.what());
      this.requeue.push(s.signal);
    }
    // A group-stopped process reports one extra event stop on the first resume.
    this.resume();
  }

  private onFinalStatus(s: Stop): void {
    if (isEventStop(s)) {
      this.restoreHere();
      return;
    }
    if (isSignalDeliveryStop(s)) {
      if (FAULT_SIGNALS.has(s.signal)) throw s.signal === SIGSYS ? seccompRejected(this.t, this.nr) : faulted(this.t, s.signal, this.what());
      this.requeue.push(s.signal);
    }
    // Any other stop consumed the pending interrupt: ask again.
    this.resume();
  }

  /** One call has run and the thread is stopped right after it. */
  private completed(result: bigint): void {
    const { t, opts } = this;
    if (opts.watchSeccomp && !this.sigsysPendingBefore && sigsysPending(t)) {
      // SECCOMP_RET_KILL_*/TRAP skipped the call and forced SIGSYS with SA_IMMUTABLE (5.16+):
      // a tracer can no longer intercept it, so the process dies once released.
      throw new NumapolError('ESECCOMP', `the seccomp filter of pid ${t.pid} rejected syscall ${this.nr} with SIGSYS: the call was not made, and the filter kills (or traps) the process when it resumes. Leave such processes alone (seccomp: 'refuse') or suspend the filter as root (seccomp: 'suspend')`, {
        details: { pid: t.pid, tid: t.tid, nr: this.nr },
      });
    }
    this.results.push(result);
    opts.afterCall?.(this.results.length - 1, result);
    if (opts.stopAtErrno && isErrnoResult(result)) {
      this.finish();
      return;
    }
    this.next();
  }

  /** After the last call: go back to a stop inside get_signal and restore there. */
  private finish(): void {
    const { t } = this;
    if (this.opts.mode === 'step') {
      // At the last call's SIGTRAP stop, inside get_signal: restoring here is as good as at an
      // event stop (the restart rules run when get_signal returns).
      setRegs(t.tid, this.restore);
      // Injected code put the mask back itself.
      if (this.stub === undefined) setSigmask(t.tid, this.mask);
      this.foreign = false;
      t.regs = this.restore;
      this.requeueSignals();
      t.phase = 'trapped';
      this.done = true;
      return;
    }
    this.waiting = 'final';
    this.rounds = 0;
    this.resume();
  }

  /** At an event stop: the thread's own registers and mask back, and its signals re-queued. */
  private restoreHere(): void {
    const { t } = this;
    setRegs(t.tid, this.restore);
    if (this.stub === undefined) setSigmask(t.tid, this.mask);
    else this.programMask();
    this.foreign = false;
    t.regs = this.restore;
    t.phase = 'stopped';
    this.requeueSignals();
    this.done = true;
  }

  /** Sends the thread again the signals taken out of its way, once it is back in its own state. */
  private requeueSignals(): void {
    if (this.requeue.length === 0) return;
    const { t } = this;
    for (const sig of this.requeue.splice(0)) tgkill(t.pid, t.tid, sig);
  }

  /**
   * Ends the injection with `e`: a thread still in foreign registers is brought back to an event
   * stop (synchronously: failures are rare) and restored there.
   */
  private fail(e: unknown): void {
    const { t } = this;
    let failure = e;
    try {
      if (t.phase === 'injecting' && this.waiting === 'restop') {
        // Running its own code, in its own registers and mask: only wait for it to stop.
        t.phase = 'seized';
        const deadline = performance.now() + this.opts.timeoutMs;
        for (;;) {
          const s = pollStatus(t, deadline);
          if (s === undefined || onInitialStatus(t, s)) break;
        }
      }
      if (t.phase === 'injecting' && this.foreign) {
        ptraceInterrupt(t.tid);
        ptraceCont(t.tid, 0);
        const faults = waitEventStop(t, this.opts.timeoutMs, 'after the injected syscall', this.requeue);
        // A seccomp filter that rejects the call with KILL or TRAP skips it and forces SIGSYS on
        // the thread; we catch that signal here and never deliver it: the target survives.
        if (faults.includes(SIGSYS)) failure ??= seccompRejected(t, this.nr);
        else if (faults.length > 0) failure ??= faulted(t, faults[0] as number, 'in the injected syscall');
      }
      if (t.phase === 'injecting') this.restoreHere();
    } catch (e2) {
      if (isErrno(e2, 'ESRCH') && threadState(t.pid, t.tid) === undefined) t.phase = 'gone';
    }
    if (isErrno(failure, 'ESRCH') && t.phase !== 'stopped') failure = threadExited(t.pid, t.tid, 'during the injected syscall');
    if (t.phase === 'gone' && !(failure instanceof NumapolError)) failure = threadExited(t.pid, t.tid, 'during the injected syscall');
    this.failure = failure;
    this.done = true;
  }
}

/**
 * Runs many threads' injections at once: each is started, then their stops are taken in the
 * order they were started, and a thread that needs another stop goes to the back of the line.
 * A tracee takes tens of microseconds to wake, run one syscall and stop again; with all of them
 * in flight, that time overlaps with the tracer's work on the others instead of adding up.
 * Returns when every injection is done (each one's own `failure` says how it ended).
 */
export function runInjections(list: readonly Injection[]): void {
  const line: Injection[] = [];
  // Indexed loops here and in the other per-thread loops: in code V8 has not compiled yet (a
  // one-shot command), for-of allocates an iterator result per element.
  for (let i = 0; i < list.length; i++) {
    const j = list[i]!;
    j.begin();
    if (!j.done) line.push(j);
  }
  for (let head = 0; head < line.length; head++) {
    const j = line[head] as Injection;
    const s = pollStatus(j.t, j.deadline);
    if (s === undefined) j.onTimeout();
    else j.onStatus(s);
    if (!j.done) line.push(j);
  }
}
