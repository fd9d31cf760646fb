/**
 * Facts read before touching a process, so a refusal names its reason ("already traced by pid
 * 812 (gdb)") instead of a bare EPERM from PTRACE_SEIZE.
 */
import { readFileSync } from 'node:fs';
import { NumapolError, ProcessGoneError } from '../errors.js';

export interface ProcessFacts {
  pid: number;
  name: string;
  /** First letter of the State line (R, S, D, T, t, Z, X...). */
  state: string;
  tracerPid: number;
  uid: number;
  /** 0 none, 1 strict, 2 filter. */
  seccomp: number;
  /** Threads in the group (the Threads: line). */
  threads: number;
  /** Signals the process ignores (SigIgn: bit n-1 = signal n); dispositions are shared by all threads. */
  sigIgn: bigint;
}

/**
 * The value of one `Name:\tvalue` line of a /proc status file ('' when absent). Looked up by
 * name rather than splitting all ~60 lines: this runs before every operation, and building a
 * map of every line cost more than reading the file.
 */
function statusField(status: string, name: string): string {
  const key = `\n${name}:`;
  const at = status.startsWith(`${name}:`) ? 0 : status.indexOf(key);
  if (at < 0) return '';
  const from = at === 0 ? name.length + 1 : at + key.length;
  const end = status.indexOf('\n', from);
  return status.slice(from, end < 0 ? undefined : end).trim();
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
  const status = readOrUndefined(`${root}proc/${pid}/status`);
  if (status === undefined) throw new ProcessGoneError(pid);
  const num = (name: string): number => Number.parseInt(statusField(status, name) || '0', 10);
  const sigIgn = statusField(status, 'SigIgn');
  return {
    pid,
    name: statusField(status, 'Name') || '?',
    state: (statusField(status, 'State') || '?').charAt(0),
    tracerPid: num('TracerPid'),
    uid: Number.parseInt(statusField(status, 'Uid').split(/\s+/)[1] ?? '0', 10),
    seccomp: num('Seccomp'),
    threads: num('Threads'),
    sigIgn: /^[0-9a-f]+$/.test(sigIgn) ? BigInt(`0x${sigIgn}`) : 0n,
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
  return readOrUndefined(`${root}proc/${pid}/comm`)?.trim() ?? '?';
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
 * Refuses targets we know we must not or cannot touch. Checks that need the attempt itself
 * (uid, dumpable) are explained by `explainSeizeFailure` when PTRACE_SEIZE fails.
 */
export function checkTraceable(facts: ProcessFacts, seccomp: SeccompPolicy, stillOurs: readonly number[] = []): void {
  const who = `pid ${facts.pid} (${facts.name})`;
  if (facts.pid === process.pid) {
    throw new NumapolError('EPERM', `${who} is numapol itself: a process cannot trace its own threads`, { details: { pid: facts.pid } });
  }
  if (facts.state === 'Z' && facts.threads <= 1) {
    throw new NumapolError('EZOMBIE', `${who} is a zombie: it has exited and runs no code, so it has no policy to change`, { details: { pid: facts.pid } });
  }
  if (facts.state === 'X') throw new ProcessGoneError(facts.pid);
  if (facts.tracerPid !== 0 && facts.tracerPid === process.pid) {
    const why = stillOurs.length > 0
      ? `thread(s) ${stillOurs.join(', ')} of it did not stop for an earlier detach (uninterruptible sleep?) and are still traced by this process; try again once they wake`
      : 'this process is already tracing it (another operation on it is in progress)';
    throw new NumapolError('EBUSY', `cannot trace ${who}: ${why}`, { details: { pid: facts.pid, tracerPid: facts.tracerPid, threads: [...stillOurs] } });
  }
  if (facts.tracerPid !== 0) {
    throw new NumapolError(
      'EPERM',
      `cannot trace ${who}: it is already traced by pid ${facts.tracerPid} (${commOf(facts.tracerPid)}); a process has one tracer at a time: detach the debugger first`,
      { details: { pid: facts.pid, tracerPid: facts.tracerPid } },
    );
  }
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

/** Turns an EPERM from PTRACE_SEIZE into the reason a user can act on. */
export function explainSeizeFailure(facts: ProcessFacts, tid: number = facts.pid): string {
  const who = `pid ${facts.pid} (${facts.name})`;
  const myUid = process.getuid?.() ?? -1;
  const reasons: string[] = [];
  const scope = yamaScope();
  if (scope === 3) reasons.push('Yama ptrace_scope is 3: ptrace is disabled on this system until reboot');
  else if (scope === 2 && myUid !== 0) reasons.push('Yama ptrace_scope is 2: only processes with CAP_SYS_PTRACE may trace');
  else if (scope === 1 && myUid !== 0) reasons.push('Yama ptrace_scope is 1: only ancestors (or CAP_SYS_PTRACE) may trace; run as root or set kernel.yama.ptrace_scope=0');
  if (myUid !== 0 && facts.uid !== myUid) reasons.push(`it belongs to uid ${facts.uid} and numapol runs as uid ${myUid} without CAP_SYS_PTRACE`);
  // The thread that refused, not the leader: we may already trace the leader ourselves.
  const tracer = threadTracer(facts.pid, tid);
  if (tracer !== 0 && tracer !== process.pid) reasons.push(`it is already traced by pid ${tracer} (${commOf(tracer)})`);
  if (reasons.length === 0) reasons.push('it is not dumpable (setuid/setgid or PR_SET_DUMPABLE 0), or a security module (LSM, container) forbids ptrace');
  return `cannot trace ${who}: ${reasons.join('; ')}`;
}

/** TracerPid of one thread (0 when untraced or unreadable). */
function threadTracer(pid: number, tid: number): number {
  const status = readOrUndefined(`/proc/${pid}/task/${tid}/status`);
  return status === undefined ? 0 : Number.parseInt(statusField(status, 'TracerPid') || '0', 10);
}
