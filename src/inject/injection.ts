/**
 * One thread's injection as an explicit state machine, so that many threads can have theirs in
 * flight at once (see runInjections). Two ways to run a thread's calls:
 *
 * - 'code' (x86_64): the thread runs the park code (arch/x86_64-park.ts) from the park region
 *   (region.ts) with its slot area in rbx: the code blocks the program's signals, runs the
 *   calls, and parks the thread in the signal-delivery-stop of a signal whose delivery does
 *   nothing in this process (park-signal.ts). The tracer restores the thread's registers there;
 *   that stop is inside get_signal, so when the thread is resumed (signal 0) the kernel applies
 *   its syscall-restart rules to them, as after any ptrace stop. At no moment can numapol's
 *   death leave the thread with registers or a signal mask not its own: before the park it
 *   runs on by itself into the code's tail, which puts back its state; in the park the kernel
 *   delivers the harmless signal instead of 0.
 * - 'syscall-stops': each call alone ("one-shot"), for the park region's own first mmap and for
 *   targets that may not have executable memory, other architectures, or a seccomp filter we
 *   must watch: registers set for the call, PTRACE_SYSCALL to its entry and exit stops, and at
 *   the exit stop the thread's own registers back with the restart rules applied by the tracer
 *   (arch.resumeRegs), so the thread can stay in that stop safely. The signal mask is never
 *   changed. Between the register set and the exit stop the thread has the call's registers;
 *   on x86_64 the call runs at a `syscall; ret` with the stack pointer on a signal frame below
 *   the red zone (x86_64-frame.ts), so that if numapol dies then, the thread returns into the
 *   program's own rt_sigreturn trampoline and gets every register, its FPU state and its mask
 *   back from the frame. Without that net (no such code in the process, no room below the stack
 *   pointer: counted in SessionStats.unguardedCalls), a death there leaves the thread with the
 *   call's registers.
 */
import { performance } from 'node:perf_hooks';
import { NumapolError } from '../errors.js';
import {
  getRseqConfiguration, getSigmask, getXstate, lastRegs, ptraceCont, ptraceInterrupt, ptraceSyscall, readRegs, regsArea, sendRegs, setRegs, setSigmask, tgkill,
} from '../kernel/ptrace.js';
import { processVmRead, processVmReadMany, processVmWrite } from '../kernel/remote-memory.js';
import { readI64, readU64 } from '../kernel/words.js';
import { isEventStop, isSignalDeliveryStop, isSyscallStop, type WaitStatus } from '../kernel/wait.js';
import type { Arch } from './arch/index.js';
import { sigframe, sigframeSize } from './arch/x86_64-frame.js';
import { SLOT } from './arch/x86_64-park.js';
import { isErrno, stopTimeout, threadExited } from './errors.js';
import { faultSeam } from './fault-seam.js';
import { signalBit } from './signal-masks.js';
import { threadPending, threadState } from './preflight.js';
import type { ParkRegion } from './region.js';
import type { NetGadgets } from './syscall-insn.js';
import { nativeRegs, onInitialStatus, ownRegs, pollOnce, pollStatus, type RseqSection, type TracedThread } from './thread-state.js';

export type { RseqSection } from './thread-state.js';

export type InjectMode = 'code' | 'syscall-stops';

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
   * One-shot calls: run them at this `syscall; ret` with a signal frame below the red zone
   * whose return address is this rt_sigreturn trampoline (x86_64-frame.ts), so that numapol's
   * death during a call leaves the thread its own state. Without it, such a death leaves the
   * thread with the call's registers.
   */
  readonly net?: NetGadgets;
  /** Counts one-shot calls that ran without the safety net (no room for its frame). */
  readonly onUnguarded?: () => void;
}

/** Where a thread runs the park code: the region, the thread's slot area, the signals it may park with. */
export interface ParkRun {
  readonly region: ParkRegion;
  readonly slot: bigint;
  readonly signals: bigint;
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

/** What a park code result slot holds until its call runs (no syscall returns it). */
export const STUB_NOT_RUN = -(1n << 63n);

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
 * What the thread is waiting for: the park signal's stop at the end of the code, the event
 * stop of a park with a signal the program blocks, a one-shot call's entry or exit stop, or a
 * stop after a signal given to the program.
 */
type Waiting = 'code' | 'detour' | 'entry' | 'exit' | 'restop';

/** An Injection's registers before prepare() has read them (one shared empty buffer, not two per thread). */
const NO_REGS = Buffer.alloc(0);

type Stop = Extract<WaitStatus, { kind: 'stopped' }>;

/**
 * One thread's batch of calls. `prepare()` reads the registers it will give back (the caller
 * writes the slot area of a park run from them), `begin()` starts; each wait status of the
 * thread goes to `onStatus()` until `done`. Then `results` holds the raw result register
 * (signed) of each call run (for the park code, once parkResultsFrom has read its slots), and
 * `failure` a transport failure, if any: the thread is by then back in its own registers and
 * mask whenever it is alive.
 */
export class Injection {
  readonly results: bigint[] = [];
  failure: unknown;
  done = false;
  /** When the stop awaited now is late (performance.now() ms). */
  deadline = 0;
  private waiting: Waiting = 'code';
  private rounds = 0;
  private restarts = 0;
  /** After a signal given to the program (waiting 'restop'): run the calls again, or done. */
  private restopThen: 'restart' | 'done' = 'done';
  private prepared = false;
  /** The thread's registers as found (its own). */
  private saved: Buffer = NO_REGS;
  /** What to give back at a stop inside get_signal: `saved`, its rseq section aborted. */
  private restore: Buffer = NO_REGS;
  private readonly requeue: number[] = [];
  private sigsysPendingBefore = false;
  /** The thread runs (or is stopped in) registers that are not its own. */
  private foreign = false;
  /** A one-shot's safety net frame on the thread's stack, and the bytes it covers. */
  private frame: { at: bigint; covered: Buffer } | undefined;

  constructor(
    readonly t: TracedThread,
    private readonly arch: Arch,
    private readonly insn: bigint,
    private readonly calls: readonly InjectCall[],
    private readonly opts: InjectOptions,
    private readonly park?: ParkRun,
  ) {
    if ((park !== undefined) !== (opts.mode === 'code')) throw new RangeError('the park code runs exactly in code mode');
  }

  get parkRun(): ParkRun | undefined {
    return this.park;
  }

  get callCount(): number {
    return this.calls.length;
  }

  private get nr(): number {
    if (this.waiting === 'code') return -1;
    return this.calls[this.results.length]?.nr ?? this.calls[this.calls.length - 1]?.nr ?? -1;
  }

  private what(): string {
    if (this.waiting === 'code' || this.waiting === 'detour') return 'in the injected code';
    if (this.waiting === 'restop') return 'while it took a signal of its own';
    return this.waiting === 'entry' ? `entering the injected syscall ${this.nr}` : `in the injected syscall ${this.nr}`;
  }

  /**
   * Reads the thread's registers and rseq section; returns the registers it resumes user mode
   * with if nothing else happens (arch.resumeRegs), which a park run's slot area must hold.
   * Undefined when it failed (then `done`, with `failure`).
   */
  prepare(): Buffer | undefined {
    const { t, arch } = this;
    if (!t.ready) {
      this.fail(new NumapolError('EINVAL', `thread ${t.tid} is ${t.phase}, not stopped`));
      return undefined;
    }
    try {
      this.saved = ownRegs(t, arch);
    } catch (e) {
      if (isErrno(e, 'ESRCH')) {
        t.phase = 'gone';
        this.fail(threadExited(t.pid, t.tid, 'before the injected syscall'));
        return undefined;
      }
      this.fail(e);
      return undefined;
    }
    if (this.saved.length !== arch.regsSize) {
      this.fail(new NumapolError('ECOMPAT', `thread ${t.tid} of pid ${t.pid} runs in 32-bit compat mode (register set of ${this.saved.length} bytes); only native ${arch.name} processes are supported`, {
        details: { pid: t.pid, tid: t.tid },
      }));
      return undefined;
    }
    try {
      if (t.rseq === undefined && !outsideRseq(t, arch)) t.rseq = rseqSection(t);
      this.restore = rseqFixup(arch, this.saved, t.rseq ?? null);
      this.sigsysPendingBefore = (this.opts.watchSeccomp ?? false) && sigsysPending(t);
    } catch (e) {
      this.fail(e);
      return undefined;
    }
    this.prepared = true;
    return this.park === undefined ? undefined : arch.resumeRegs(this.restore);
  }

  /** Starts the calls (after prepare(), which it runs itself when the caller did not). */
  begin(): void {
    if (!this.prepared) {
      const resume = this.prepare();
      if (this.done) return;
      // Started again after a signal given to the program: its registers are its handler's now.
      if (this.park !== undefined && resume !== undefined && this.restarts > 0) {
        try {
          processVmWrite(this.t.tid, this.park.slot + BigInt(SLOT.regs), resume.subarray(0, SLOT.results - SLOT.regs));
        } catch (e) {
          this.fail(e);
          return;
        }
      }
    }
    try {
      this.t.phase = 'injecting';
      this.next();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Starts the park code, or the next one-shot call, or finishes when there is none. */
  private next(): void {
    const { t, arch } = this;
    if (this.park !== undefined) {
      arch.writeParkRegs(regsArea(), this.restore, this.park.region.entry, this.park.slot);
      sendRegs(t.tid, this.restore.length);
      this.foreign = true;
      faultSeam('code-regs-set', t.tid);
      this.rounds = 0;
      this.waiting = 'code';
      this.resume();
      faultSeam('code-running', t.tid);
      return;
    }
    const call = this.calls[this.results.length];
    if (call === undefined) {
      // The thread stays in the exit stop of its last call, with its own registers.
      this.uncoverStack();
      t.phase = 'stopped';
      this.requeueSignals();
      this.done = true;
      return;
    }
    const net = this.opts.net;
    if (net !== undefined && this.frame === undefined) this.placeFrame(net);
    if (net !== undefined && this.frame !== undefined) arch.writeNetRegs!(regsArea(), this.saved, net.syscallRet, this.frame.at, call.nr, call.args);
    else arch.writeInjectedRegs(regsArea(), this.saved, this.insn, call.nr, call.args);
    sendRegs(t.tid, this.saved.length);
    this.foreign = true;
    faultSeam('oneshot-regs-set', t.tid);
    this.rounds = 0;
    this.waiting = 'entry';
    this.resume();
  }

  /**
   * Writes the safety net's signal frame below the thread's red zone (x86_64-frame.ts), keeping
   * the bytes it covers to write back. Leaves none when that memory cannot be read and written
   * (then the call runs without the net, and is counted).
   */
  private placeFrame(net: NetGadgets): void {
    const { t, arch } = this;
    try {
      const xstate = getXstate(t.tid);
      t.sigmask ??= getSigmask(t.tid);
      const size = sigframeSize(xstate.length);
      const at = ((arch.stackPointer(this.saved) - BigInt(arch.redZone) - BigInt(size)) / 64n) * 64n;
      const covered = processVmRead(t.tid, at, size);
      if (covered.length === size) {
        // What the thread resumes with if numapol dies: its own registers, a syscall the stop
        // interrupted run again from its start (rt_sigreturn loses the restart block).
        processVmWrite(t.tid, at, sigframe(at, arch.resumeRegs(this.restore, 'rerun'), t.sigmask, xstate, net.sigreturn));
        this.frame = { at, covered };
        return;
      }
    } catch {
      // No room: the call runs without the net.
    }
    this.opts.onUnguarded?.();
  }

  /** Writes back the stack bytes under the safety net's frame (the thread has its own registers again). */
  private uncoverStack(): void {
    const f = this.frame;
    if (f === undefined) return;
    this.frame = undefined;
    processVmWrite(this.t.tid, f.at, f.covered);
  }

  /** Lets the thread go on towards the stop awaited. */
  private resume(): void {
    this.deadline = performance.now() + this.opts.timeoutMs;
    if (this.waiting === 'code') ptraceCont(this.t.tid, 0);
    else if (this.waiting === 'detour') {
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
    if (s.kind !== 'stopped') throw died(t, s, this.what(), this.nr);
    if (this.rounds++ > MAX_ROUNDS) throw new NumapolError('EPROTO', `thread ${t.tid} of pid ${t.pid} keeps stopping ${this.what()}`);
    switch (this.waiting) {
      case 'code': return this.onCodeStatus(s);
      case 'detour': return this.onDetourStatus(s);
      case 'entry':
      case 'exit': return this.onSyscallStatus(s);
      case 'restop': return this.onRestopStatus(s);
    }
  }

  /** Whether `signal` is one the code parks with. */
  private parksWith(signal: number): boolean {
    return (this.park!.signals & signalBit(signal)) !== 0n;
  }

  private onCodeStatus(s: Stop): void {
    const { t, arch } = this;
    const { region } = this.park!;
    if (isSignalDeliveryStop(s)) {
      const ip = arch.instructionPointer(lastRegs(readRegs(t.tid, arch.regsSize)));
      if (ip === region.trap1 || ip === region.trap2) {
        if (this.parksWith(s.signal)) {
          faultSeam('parked', t.tid);
          if (ip === region.trap1) {
            // The program's own mask is back (the code put it back); only the registers are ours.
            setRegs(t.tid, this.restore);
            this.foreign = false;
            t.regs = this.restore;
            t.phase = 'trapped';
            faultSeam('park-restored', t.tid);
            this.requeueSignals();
            this.done = true;
            return;
          }
          // Parked with a signal the program blocks: its mask goes back at an event stop.
          this.waiting = 'detour';
          this.rounds = 0;
          this.resume();
          return;
        }
        if (ip === region.trap1) {
          // Came while the code ran, due now that the program's mask is back: the calls are done.
          this.deliver(s.signal, 'done');
          return;
        }
      } else if (ip === region.entry) {
        // Due before the code's first instruction, under the program's own mask: the program
        // would have had it now. It gets it, with its siginfo, and the code runs after.
        this.deliver(s.signal, 'restart');
        return;
      } else if (FAULT_SIGNALS.has(s.signal)) {
        throw faulted(t, s.signal, 'in the injected code');
      }
      // SIGSTOP (never blocked) or the like: out of the way, re-queued later.
      this.requeue.push(s.signal);
    }
    // Event stops (a group-stopped process reports one on resume): go on.
    this.resume();
  }

  /** After a park with a signal the program blocks: at the event stop, its mask, then its registers. */
  private onDetourStatus(s: Stop): void {
    const { t } = this;
    if (isEventStop(s)) {
      faultSeam('detour-stop', t.tid);
      const mask = this.codeMask();
      if (mask !== undefined) {
        setSigmask(t.tid, mask);
        t.sigmask = mask;
      }
      faultSeam('detour-mask-set', t.tid);
      this.restoreHere();
      return;
    }
    if (isSignalDeliveryStop(s)) {
      if (FAULT_SIGNALS.has(s.signal)) throw faulted(t, s.signal, 'in the injected code');
      this.requeue.push(s.signal);
    }
    // Any other stop consumed the pending interrupt: ask again.
    this.resume();
  }

  /**
   * The program's mask as the code found it, when the code blocked the program's signals (so
   * the mask may not be the program's now); undefined when it never did.
   */
  private codeMask(): bigint | undefined {
    const m = processVmRead(this.t.tid, this.park!.slot + BigInt(SLOT.block), 16);
    if (m.length < 16 || readI64(m, 0) !== 0n) return undefined;
    return readU64(m, 8);
  }

  /**
   * Gives `signal`, dequeued at this stop, to the program as if we had not been there: its own
   * registers back (the kernel's restart rules then apply to them as usual), then resumed with
   * the signal, which keeps its siginfo. It stops again afterwards ('restop'); then the calls
   * run afresh, or, when they had run, the injection is done.
   */
  private deliver(signal: number, then: 'restart' | 'done'): void {
    const { t } = this;
    setRegs(t.tid, this.restore);
    this.foreign = false;
    this.uncoverStack();
    // Its registers, mask and rseq section will be those of its signal handler.
    t.regs = undefined;
    t.sigmask = undefined;
    t.rseq = undefined;
    this.prepared = false;
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
   * Takes the park code's results from `mem`, a copy of target memory starting at address
   * `base`. The caller reads every thread's slots in one go once all have parked (injectMany).
   */
  parkResultsFrom(mem: Buffer, base: bigint): void {
    const { park, t } = this;
    if (park === undefined) return;
    const at = Number(park.slot - base);
    if (at < 0 || at + SLOT.results > mem.length) return;
    const blocked = readI64(mem, at + SLOT.block);
    if (blocked === STUB_NOT_RUN) return;
    if (blocked !== 0n) {
      this.failure ??= new NumapolError('EPROTO', `thread ${t.tid} of pid ${t.pid} could not block its signals for the injected code (errno ${-blocked}); none of its calls ran`, {
        details: { pid: t.pid, tid: t.tid },
      });
      return;
    }
    if (this.results.length > 0) return;
    for (let i = 0; i < this.calls.length && at + SLOT.results + 8 * i + 8 <= mem.length; i++) {
      const r = readI64(mem, at + SLOT.results + 8 * i);
      if (r === STUB_NOT_RUN) break;
      this.results.push(r);
    }
  }

  private onSyscallStatus(s: Stop): void {
    const { t, arch } = this;
    if (isSyscallStop(s)) {
      if (this.waiting === 'entry') {
        faultSeam('oneshot-entry', t.tid);
        this.waiting = 'exit';
        this.resume();
        return;
      }
      readRegs(t.tid, arch.regsSize);
      const result = arch.syscallResult(lastRegs(arch.regsSize));
      faultSeam('oneshot-exit', t.tid);
      // Its own registers, with the restart rules the kernel would apply when it left
      // get_signal: it may stay in this exit stop, or be detached from it, safely.
      const own = arch.resumeRegs(this.restore);
      setRegs(t.tid, own);
      this.foreign = false;
      this.saved = own;
      this.restore = own;
      t.regs = own;
      faultSeam('oneshot-restored', t.tid);
      this.completed(result);
      return;
    }
    if (isSignalDeliveryStop(s)) {
      if (FAULT_SIGNALS.has(s.signal)) throw s.signal === SIGSYS ? seccompRejected(t, this.nr) : faulted(t, s.signal, this.what());
      if (this.waiting === 'entry') {
        // Due before the call: the program takes it, then the call runs.
        this.deliver(s.signal, 'restart');
        return;
      }
      this.requeue.push(s.signal);
    }
    // A group-stopped process reports one extra event stop on the first resume.
    this.resume();
  }

  /** One call has run and the thread is stopped right after it, in its own registers. */
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
    if (opts.stopAtErrno && isErrnoResult(result)) {
      this.uncoverStack();
      t.phase = 'stopped';
      this.requeueSignals();
      this.done = true;
      return;
    }
    this.next();
  }

  /** At an event stop: the thread's own registers back, and its signals re-queued. */
  private restoreHere(): void {
    const { t } = this;
    setRegs(t.tid, this.restore);
    this.foreign = false;
    this.uncoverStack();
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
   * stop (synchronously: failures are rare) and restored there, its mask first (a death in
   * between leaves it in the park code, which puts its registers back itself).
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
        try {
          ptraceCont(t.tid, 0);
        } catch (e2) {
          // Not in a stop (it runs, or sleeps in a call): the interrupt stops it.
          if (!isErrno(e2, 'ESRCH')) throw e2;
        }
        const faults = waitEventStop(t, this.opts.timeoutMs, 'after the injected syscall', this.requeue);
        // A seccomp filter that rejects the call with KILL or TRAP skips it and forces SIGSYS on
        // the thread; we catch that signal here and never deliver it: the target survives.
        if (faults.includes(SIGSYS)) failure ??= seccompRejected(t, this.nr);
        else if (faults.length > 0) failure ??= faulted(t, faults[0] as number, 'in the injected syscall');
        if (this.park !== undefined) {
          const mask = this.codeMask();
          if (mask !== undefined) setSigmask(t.tid, mask);
        }
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
 * A tracee takes tens of microseconds to wake, run its calls and stop again; with all of them
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
    // A thread waits at the head for a few ms at most before the others get their turn: a
    // killed process's leader, for one, reports its death only once its other threads are
    // reaped.
    const s = pollStatus(j.t, Math.min(j.deadline, performance.now() + HEAD_WAIT_MS));
    if (s !== undefined) j.onStatus(s);
    else {
      reapFailed(list);
      if (performance.now() > j.deadline) j.onTimeout();
    }
    if (!j.done) line.push(j);
  }
}

/**
 * Takes the exit status of every thread whose injection failed while it was dying: a traced
 * thread that exited stays a zombie until its tracer waits for it, and a process's leader
 * reports its own death only once all its other threads are gone.
 */
function reapFailed(list: readonly Injection[]): void {
  for (let i = 0; i < list.length; i++) {
    const j = list[i]!;
    if (!j.done || j.t.phase !== 'injecting') continue;
    const s = pollOnce(j.t);
    if (s !== undefined && s.kind !== 'stopped') j.t.phase = 'gone';
  }
}

/** How long the thread at the head of runInjections' line is waited for before the next one's turn. */
const HEAD_WAIT_MS = 5;
