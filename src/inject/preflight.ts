/**
 * Facts read before touching a process, so a refusal names its reason ("already traced by pid
 * 812 (gdb)") instead of a bare EPERM from PTRACE_SEIZE.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
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
 * /proc status files are read into this one buffer with a single read: a status file is ~1.5
 * KiB, and procfs fills a read until the file ends, so a read that leaves room is the whole
 * file. No string is made of it: this runs before every operation, and in the one-thread case
 * reading and splitting the text cost more than the ptrace calls that follow.
 */
let statusBuf = Buffer.allocUnsafe(8192);

/** Reads a status file into statusBuf; its length, or undefined when it cannot be read. */
function readStatusBytes(path: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    for (;;) {
      const n = readSync(fd, statusBuf, 0, statusBuf.length, 0);
      if (n < statusBuf.length) return n;
      // Thousands of CPUs make the mask lines long: read again with room to spare.
      statusBuf = Buffer.allocUnsafe(statusBuf.length * 2);
    }
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

const NL = 0x0a;
const COLON = 0x3a;

/** Whether statusBuf[from, to) spells `name`. */
function keyIs(name: string, from: number, to: number): boolean {
  if (to - from !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (statusBuf[from + i] !== name.charCodeAt(i)) return false;
  return true;
}

/**
 * Where the value of each of `names` starts in statusBuf[0, len) (after the colon and the tabs),
 * -1 for a line this kernel does not print. One pass over the bytes: Buffer.indexOf per field
 * costs a call into C++ each, more than walking the whole file in JavaScript.
 */
function fieldOffsets(len: number, names: readonly string[]): number[] {
  const at = names.map(() => -1);
  let found = 0;
  for (let line = 0; line < len && found < names.length;) {
    let colon = line;
    while (colon < len && statusBuf[colon] !== COLON && statusBuf[colon] !== NL) colon++;
    let end = colon;
    while (end < len && statusBuf[end] !== NL) end++;
    const k = names.findIndex((name) => keyIs(name, line, colon));
    if (k >= 0 && at[k] === -1) {
      let v = colon + 1;
      while (v < end && (statusBuf[v] === 0x09 || statusBuf[v] === 0x20)) v++;
      at[k] = v;
      found++;
    }
    line = end + 1;
  }
  return at;
}

/** The decimal number at `at` (0 when there is none: a field this kernel does not have). */
function decimalAt(len: number, at: number): number {
  let n = 0;
  for (let i = at; i >= 0 && i < len; i++) {
    const d = (statusBuf[i] as number) - 0x30;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  return n;
}

/** The text from `at` to the end of its line ('' when absent). */
function textAt(len: number, at: number): string {
  if (at < 0) return '';
  let end = at;
  while (end < len && statusBuf[end] !== NL) end++;
  return statusBuf.toString('latin1', at, end).trimEnd();
}

/** The hexadecimal mask at `at` (SigIgn and kin), 0 when absent. */
function maskAt(len: number, at: number): bigint {
  let hi = 0;
  let lo = 0;
  let digits = 0;
  for (let i = at; i >= 0 && i < len; i++) {
    const c = statusBuf[i] as number;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (d < 0) break;
    // Two 32-bit halves: exact in doubles, one BigInt at the end.
    hi = ((hi * 16) % 0x100000000) + Math.floor(lo / 0x10000000);
    lo = ((lo * 16) % 0x100000000) + d;
    digits++;
  }
  return digits === 0 ? 0n : (BigInt(hi) << 32n) | BigInt(lo);
}

/** The fields of a status file the preflight needs, in one array for fieldOffsets. */
const FACT_FIELDS = ['Name', 'State', 'TracerPid', 'Uid', 'Threads', 'SigIgn', 'Seccomp'] as const;
const TRACER_FIELD = ['TracerPid'] as const;

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Reads /proc/PID/status. Throws ProcessGoneError when there is no such pid. */
export function readProcessFacts(pid: number, root = '/'): ProcessFacts {
  const len = readStatusBytes(`${root}proc/${pid}/status`);
  if (len === undefined) throw new ProcessGoneError(pid);
  const [name, state, tracer, uids, threads, sigIgn, seccomp] = fieldOffsets(len, FACT_FIELDS) as [number, number, number, number, number, number, number];
  // Uid: real, effective, saved, filesystem; the effective one decides.
  let euid = uids;
  if (euid >= 0) {
    while (euid < len && statusBuf[euid] !== 0x09 && statusBuf[euid] !== NL) euid++;
    euid = statusBuf[euid] === 0x09 ? euid + 1 : -1;
  }
  return {
    pid,
    name: textAt(len, name) || '?',
    state: state < 0 || state >= len ? '?' : String.fromCharCode(statusBuf[state] as number),
    tracerPid: decimalAt(len, tracer),
    uid: decimalAt(len, euid),
    seccomp: decimalAt(len, seccomp),
    threads: decimalAt(len, threads),
    sigIgn: maskAt(len, sigIgn),
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
  const len = readStatusBytes(`/proc/${pid}/task/${tid}/status`);
  return len === undefined ? 0 : decimalAt(len, fieldOffsets(len, TRACER_FIELD)[0] ?? -1);
}
