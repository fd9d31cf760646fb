/**
 * wait4 for ptrace tracees, and decoding of the status word. Always called synchronously on
 * the tracer thread: the kernel only reports a tracee's stops to the thread that attached.
 */
import { check } from './check.js';
import { defineErrnoMeanings } from './errno.js';
import { errno, libcFunc } from './ffi.js';
import { PinnedBlock } from './pinned.js';
import { SyscallError } from './syscall-error.js';
import { readI32, readU64, writeU32 } from './words.js';

/** Wait for children of any kind (threads included): needed for tracees that are not our children. */
export const __WALL = 0x40000000;
export const WNOHANG = 1;

/** The `status>>16` event number of a PTRACE_EVENT_STOP (a SEIZEd tracee's interrupt or group stop). */
export const PTRACE_EVENT_STOP = 128;
export const SIGTRAP = 5;
/** WSTOPSIG of a syscall-stop when PTRACE_O_TRACESYSGOOD is set. */
export const SYSCALL_STOP_SIG = SIGTRAP | 0x80;

defineErrnoMeanings('wait4', {
  ECHILD: 'the thread is not traced by this thread (or already reaped)',
  EINTR: 'interrupted by a signal',
});

/** What a wait4 status word says happened to the thread. */
export type WaitStatus =
  | { kind: 'exited'; code: number }
  | { kind: 'killed'; signal: number }
  /** `event` is status>>16 (0 for signal-delivery-stops and syscall-stops). */
  | { kind: 'stopped'; signal: number; event: number };

/**
 * Statuses decoded so far, by status word. A tracer sees the same few words over and over (the
 * interrupt stop, the SIGTRAP stop), two or more per thread: one frozen object each.
 */
const decoded = new Map<number, WaitStatus>();
const MAX_DECODED = 512;

/** Decodes a raw wait status (the W* macros of <sys/wait.h>). The object is shared: read-only. */
export function decodeWaitStatus(status: number): WaitStatus {
  let s = decoded.get(status);
  if (s === undefined) {
    s = Object.freeze(decodeStatusWord(status));
    if (decoded.size < MAX_DECODED) decoded.set(status, s);
  }
  return s;
}

function decodeStatusWord(status: number): WaitStatus {
  const low = status & 0x7f;
  if (low === 0) return { kind: 'exited', code: (status >> 8) & 0xff };
  if ((status & 0xff) === 0x7f) return { kind: 'stopped', signal: (status >> 8) & 0xff, event: (status >>> 16) & 0xff };
  return { kind: 'killed', signal: low };
}

/** True for a PTRACE_EVENT_STOP (interrupt trap or group-stop of a SEIZEd tracee). */
export function isEventStop(s: WaitStatus): boolean {
  return s.kind === 'stopped' && s.event === PTRACE_EVENT_STOP;
}

/** True for a syscall-entry or syscall-exit stop (PTRACE_O_TRACESYSGOOD). */
export function isSyscallStop(s: WaitStatus): boolean {
  return s.kind === 'stopped' && s.event === 0 && s.signal === SYSCALL_STOP_SIG;
}

/** True for a signal-delivery-stop: the tracee is about to receive `signal`. */
export function isSignalDeliveryStop(s: WaitStatus): boolean {
  return s.kind === 'stopped' && s.event === 0 && s.signal !== SYSCALL_STOP_SIG;
}

type Wait4 = (pid: number, status: number, options: number, rusage: number) => number;
let wait4Fn: Wait4 | undefined;
// The status word is written by the kernel through a raw address: it must not move (pinned.ts).
let statusBlock: PinnedBlock | undefined;

/**
 * wait4(tid, &status, options | __WALL). Returns undefined when WNOHANG is given and the thread
 * has nothing to report; retries EINTR.
 */
export function wait4(tid: number, options: number): WaitStatus | undefined {
  const fn = (wait4Fn ??= libcFunc<Wait4>('int wait4(int, uintptr_t, int, uintptr_t)'));
  const block = (statusBlock ??= new PinnedBlock(8));
  for (;;) {
    const r = fn(tid, block.addr, options | __WALL, 0);
    if (r === -1) {
      const e = errno();
      if (e === 4) continue;
      throw new SyscallError('wait4', e, `tid ${tid}`);
    }
    if (r === 0) return undefined;
    return decodeWaitStatus(readI32(block.buf, 0));
  }
}

/** sched_yield(): lets the tracee run while we poll for its stop. */
let yieldFn: (() => number) | undefined;
export function schedYield(): void {
  const fn = (yieldFn ??= libcFunc<() => number>('int sched_yield(void)'));
  check('sched_yield', fn);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the calling (tracer) thread for `ms` milliseconds without leaving it. */
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

type Sigaction = (signal: number, act: number, oldact: number) => number;
let sigactionFn: Sigaction | undefined;
let sigactionBlock: PinnedBlock | undefined;
const SIGCHLD = 17;
const SA_NOCLDSTOP = 1;
/** glibc's struct sigaction on 64-bit Linux: handler, 128-byte mask, int flags, restorer. */
const SIGACTION_SIZE = 152;
const SA_FLAGS = 136;
const SA_RESTORER = 144;
/** The kernel's sigset is 64 bits: glibc copies the rest of its 128-byte mask from uninitialised stack. */
const KERNEL_MASK_END = 16;

/** Whether two struct sigaction say the same to the kernel (handler, 64-bit mask, flags, restorer). */
function sameAction(a: Buffer, b: Buffer): boolean {
  return a.compare(b, 0, KERNEL_MASK_END, 0, KERNEL_MASK_END) === 0
    && readI32(a, SA_FLAGS) === readI32(b, SA_FLAGS)
    && readU64(a, SA_RESTORER) === readU64(b, SA_RESTORER);
}

/**
 * The SIGCHLD action found by the last quietChildStops that quieted a handler. Node's handler
 * stays the same for as long as it has children (libuv removes it with the last one), so the
 * next call sets the quiet action and reads the current one in one sigaction instead of two,
 * and puts the current one back at once if it differs.
 */
let lastAction: Buffer | undefined;

/**
 * Stops the kernel from sending this process a SIGCHLD for every ptrace stop of a tracee, until
 * the returned function is called. Node installs a SIGCHLD handler once it has spawned a child;
 * each tracee stop then costs a signal delivery and a pipe write in the tracer (about ten per
 * injected thread). SA_NOCLDSTOP only silences stops and continues: child exits are still
 * signalled, so child_process keeps working. Nothing changes when SIGCHLD has no handler.
 */
export function quietChildStops(): () => void {
  const fn = (sigactionFn ??= libcFunc<Sigaction>('int sigaction(int, uintptr_t, uintptr_t)'));
  // Two struct sigaction: the one to set at 0, the one the kernel reports at SIGACTION_SIZE.
  const b = (sigactionBlock ??= new PinnedBlock(2 * SIGACTION_SIZE));
  const old = b.buf.subarray(SIGACTION_SIZE, 2 * SIGACTION_SIZE);
  /** Puts `action` in the slot to set, with SA_NOCLDSTOP added when `quiet`. */
  const load = (action: Buffer, quiet: boolean): void => {
    action.copy(b.buf, 0);
    if (quiet) writeU32(b.buf, SA_FLAGS, readI32(action, SA_FLAGS) | SA_NOCLDSTOP);
  };
  const restore = (saved: Buffer) => (): void => {
    load(saved, false);
    fn(SIGCHLD, b.addr, 0);
  };
  if (lastAction !== undefined) {
    const last = lastAction;
    load(last, true);
    old.fill(0);
    if (fn(SIGCHLD, b.addr, b.addr + SIGACTION_SIZE) !== 0) return () => {};
    if (sameAction(old, last)) return restore(last);
    // Someone changed the action since: theirs back at once, then the careful way below.
    lastAction = undefined;
    load(old, false);
    if (fn(SIGCHLD, b.addr, 0) !== 0) return () => {};
  }
  old.fill(0);
  if (fn(SIGCHLD, 0, b.addr + SIGACTION_SIZE) !== 0) return () => {};
  const handler = readU64(old, 0);
  const flags = readI32(old, SA_FLAGS);
  // SIG_DFL (0) and SIG_IGN (1): the kernel drops the signal at once.
  if (handler === 0n || handler === 1n || (flags & SA_NOCLDSTOP) !== 0) return () => {};
  const saved = Buffer.from(old);
  load(saved, true);
  if (fn(SIGCHLD, b.addr, 0) !== 0) return () => {};
  lastAction = saved;
  return restore(saved);
}
