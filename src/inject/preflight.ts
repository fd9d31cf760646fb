/**
 * Facts read before touching a process, so a refusal names its reason ("already traced by pid
 * 812 (gdb)") instead of a bare EPERM from PTRACE_SEIZE.
 */
import { readFileSync } from 'node:fs';
import { readProcFile } from '../kernel/proc-file.js';
import { readComm } from '../procfs/processes.js';
import { statusDecimalAt, statusEffectiveUid, statusFieldAt, statusMaskAt, statusTextAt } from '../procfs/status-fields.js';
import { NumapolError, ProcessGoneError } from '../errors.js';

export interface ProcessFacts {
  pid: number;
  name: string;
  /** First letter of the State line (R, S, D, T, t, Z, X...). */
  state: string;
  tracerPid: number;
  /** Effective uid, -1 when the kernel did not say. */
  uid: number;
  /** 0 none, 1 strict, 2 filter. */
  seccomp: number;
  /** Threads in the group (the Threads: line). */
  threads: number;
  /** Signals the process ignores (SigIgn: bit n-1 = signal n); dispositions are shared by all threads. */
  sigIgn: bigint;
  /** Signals the process has handlers for (SigCgt). */
  sigCgt: bigint;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Reads /proc/PID/status. Throws ProcessGoneError when there is no such pid. */
export function readProcessFacts(pid: number, root = '/'): ProcessFacts {
  const text = readProcFile(`${root}proc/${pid}/status`);
  if (text === undefined) throw new ProcessGoneError(pid);
  const state = statusFieldAt(text, 'State');
  return {
    pid,
    name: statusTextAt(text, statusFieldAt(text, 'Name')) || '?',
    state: state < 0 || state >= text.length ? '?' : text.charAt(state),
    tracerPid: statusDecimalAt(text, statusFieldAt(text, 'TracerPid')),
    uid: statusEffectiveUid(text),
    seccomp: statusDecimalAt(text, statusFieldAt(text, 'Seccomp')),
    threads: statusDecimalAt(text, statusFieldAt(text, 'Threads')),
    sigIgn: statusMaskAt(text, statusFieldAt(text, 'SigIgn')),
    sigCgt: statusMaskAt(text, statusFieldAt(text, 'SigCgt')),
  };
}

/**
 * /proc/sys/kernel/yama/ptrace_scope, undefined when Yama is not built in. Read only to explain
 * a refusal: it is not on the path of an operation that works.
 */
export function yamaScope(root = '/'): number | undefined {
  const yama = readOrUndefined(`${root}proc/sys/kernel/yama/ptrace_scope`);
  return yama === undefined ? undefined : Number.parseInt(yama, 10);
}

/** The command name of a pid, for messages; '?' when unreadable. */
export function commOf(pid: number, root = '/'): string {
  try {
    return readComm(pid, { root }).trim();
  } catch {
    return '?';
  }
}

/** Thread state letter from /proc/PID/task/TID/stat, undefined when the thread is gone. */
export function threadState(pid: number, tid: number, root = '/'): string | undefined {
  const stat = readOrUndefined(`${root}proc/${pid}/task/${tid}/stat`);
  if (stat === undefined) return undefined;
  // comm may contain spaces and parentheses: the state follows the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
}

export type SeccompPolicy = 'refuse' | 'allow' | 'suspend';

/**
 * Pids whose last status read showed no seccomp mode, oldest first. A process seen so is stopped
 * first and its status read while its threads are on their way to their stop (~20 µs less per
 * operation here); any other (a first operation, a filtered process) has its status read before
 * anything is touched, so that a refusal leaves it untouched: a stop is not nothing, a thread in
 * epoll_wait sees an EINTR. Seccomp modes only ever go from none to one, so the hint can only be
 * stale one way: a process that installed a filter since (or a new process under a reused pid)
 * is stopped and then refused, never let through.
 */
const unfiltered = new Set<number>();
const UNFILTERED_MAX = 4096;

/** Records what a status read said of `facts.pid`'s seccomp mode (see seenUnfiltered). */
function noteSeccomp(facts: ProcessFacts): void {
  unfiltered.delete(facts.pid);
  if (facts.seccomp !== 0) return;
  unfiltered.add(facts.pid);
  if (unfiltered.size > UNFILTERED_MAX) unfiltered.delete(unfiltered.values().next().value as number);
}

/** Whether the last status read of `pid` showed no seccomp mode. */
export function seenUnfiltered(pid: number): boolean {
  return unfiltered.has(pid);
}

/** Refuses numapol's own process: a process cannot trace its own threads. */
export function refuseSelf(pid: number): void {
  if (pid === process.pid) {
    throw new NumapolError('EPERM', `pid ${pid} (${commOf(pid)}) is numapol itself: a process cannot trace its own threads`, { details: { pid } });
  }
}

/** The refusal when this process still traces threads of `pid` (from an earlier detach, or a session in progress). */
function busy(pid: number, name: string, stillOurs: readonly number[]): NumapolError {
  const why = stillOurs.length > 0
    ? `thread(s) ${stillOurs.join(', ')} of it did not stop for an earlier detach (uninterruptible sleep?) and are still traced by this process; try again once they wake`
    : 'this process is already tracing it (another operation on it is in progress)';
  return new NumapolError('EBUSY', `cannot trace pid ${pid} (${name}): ${why}`, { details: { pid, tracerPid: process.pid, threads: [...stillOurs] } });
}

/** Refuses a process some of whose threads this process still traces after a detach that timed out. */
export function refuseLingering(pid: number, stillOurs: readonly number[]): void {
  if (stillOurs.length > 0) throw busy(pid, commOf(pid), stillOurs);
}

/** The refusal of a process that has exited but was not reaped. */
export function zombieError(pid: number, name = commOf(pid)): NumapolError {
  return new NumapolError('EZOMBIE', `pid ${pid} (${name}) is a zombie: it has exited and runs no code, so it has no policy to change`, { details: { pid } });
}

/** Refuses a seccomp mode the injected syscall could break on, and notes the mode for seenUnfiltered. */
export function refuseSeccomp(facts: ProcessFacts, seccomp: SeccompPolicy): void {
  noteSeccomp(facts);
  const who = `pid ${facts.pid} (${facts.name})`;
  if (facts.seccomp === 2 && seccomp === 'refuse') {
    throw new NumapolError(
      'ESECCOMP',
      `${who} runs under a seccomp filter that may forbid the injected syscall (making it fail, or killing the process); not touching it. Allow it explicitly (seccomp: 'allow'), or as root suspend the filter while traced (seccomp: 'suspend')`,
      { details: { pid: facts.pid } },
    );
  }
  if (facts.seccomp === 1) {
    throw new NumapolError('ESECCOMP', `${who} runs in seccomp strict mode: it may only call read, write, exit and sigreturn, so any injected syscall would kill it`, { details: { pid: facts.pid } });
  }
}

/**
 * Refuses targets we know we must not or cannot touch, without tracing them (a dry run).
 * Checks that need the attempt itself (uid, dumpable) are explained by `seizeRefusal` when
 * PTRACE_SEIZE fails.
 */
export function checkTraceable(facts: ProcessFacts, seccomp: SeccompPolicy, stillOurs: readonly number[] = []): void {
  const who = `pid ${facts.pid} (${facts.name})`;
  refuseSelf(facts.pid);
  if (facts.state === 'Z' && facts.threads <= 1) throw zombieError(facts.pid, facts.name);
  if (facts.state === 'X') throw new ProcessGoneError(facts.pid);
  if (facts.tracerPid !== 0 && facts.tracerPid === process.pid) throw busy(facts.pid, facts.name, stillOurs);
  if (facts.tracerPid !== 0) {
    throw new NumapolError('EPERM', `cannot trace ${who}: ${tracedBy(facts.tracerPid)}`, { details: { pid: facts.pid, tracerPid: facts.tracerPid } });
  }
  refuseSeccomp(facts, seccomp);
}

/** Why a process another tracer holds cannot be traced, and what to do. */
function tracedBy(tracer: number): string {
  return `it is already traced by pid ${tracer} (${commOf(tracer)}); a process has one tracer at a time: detach the debugger first`;
}

/** Turns an EPERM from PTRACE_SEIZE of thread `tid` into the reason a user can act on. */
export function seizeRefusal(pid: number, tid: number, cause: unknown): NumapolError {
  let facts: ProcessFacts;
  try {
    facts = readProcessFacts(pid);
  } catch (e) {
    return new ProcessGoneError(pid, { cause: e });
  }
  // The thread that refused, not the leader: we may already trace the leader ourselves.
  const tracer = threadTracer(pid, tid);
  if (tracer === process.pid) return busy(pid, facts.name, []);
  const who = `pid ${pid} (${facts.name})`;
  const myUid = process.getuid?.() ?? -1;
  const reasons: string[] = [];
  const scope = yamaScope();
  if (scope === 3) reasons.push('Yama ptrace_scope is 3: ptrace is disabled on this system until reboot');
  else if (scope === 2 && myUid !== 0) reasons.push('Yama ptrace_scope is 2: only processes with CAP_SYS_PTRACE may trace');
  else if (scope === 1 && myUid !== 0) reasons.push('Yama ptrace_scope is 1: only ancestors (or CAP_SYS_PTRACE) may trace; run as root or set kernel.yama.ptrace_scope=0');
  if (myUid !== 0 && facts.uid !== myUid) reasons.push(`it belongs to uid ${facts.uid} and numapol runs as uid ${myUid} without CAP_SYS_PTRACE`);
  if (tracer !== 0) reasons.push(tracedBy(tracer));
  if (reasons.length === 0) reasons.push('it is not dumpable (setuid/setgid or PR_SET_DUMPABLE 0), or a security module (LSM, container) forbids ptrace');
  return new NumapolError('EPERM', `cannot trace ${who}: ${reasons.join('; ')}`, { cause, details: { pid, tid, ...(tracer === 0 ? {} : { tracerPid: tracer }) } });
}

/** /proc/PID/task/TID/status, undefined when the thread is gone. */
function threadStatus(pid: number, tid: number): string | undefined {
  return readProcFile(`/proc/${pid}/task/${tid}/status`);
}

/** Signals pending for one thread alone (SigPnd: bit n-1 = signal n; 0 when unreadable). */
export function threadPending(pid: number, tid: number): bigint {
  const text = threadStatus(pid, tid);
  return text === undefined ? 0n : statusMaskAt(text, statusFieldAt(text, 'SigPnd'));
}

/** TracerPid of one thread (0 when untraced or unreadable). */
function threadTracer(pid: number, tid: number): number {
  const text = threadStatus(pid, tid);
  return text === undefined ? 0 : statusDecimalAt(text, statusFieldAt(text, 'TracerPid'));
}
