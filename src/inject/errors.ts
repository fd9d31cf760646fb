import { NumapolError } from '../errors.js';
import type { SyscallError } from '../kernel/syscall-error.js';

/** A thread we had stopped vanished while we worked on it (the process was killed or exec'd). */
export function threadExited(pid: number, tid: number, what: string): NumapolError {
  return new NumapolError('ETHREADEXIT', `thread ${tid} of pid ${pid} exited ${what}`, { details: { pid, tid } });
}

/** A thread did not reach a ptrace stop in time. */
export function stopTimeout(pid: number, tid: number, ms: number, state: string | undefined, what: string): NumapolError {
  const why = state === 'D'
    ? ' (it is in uninterruptible sleep: disk or network I/O, vfork, or a hung filesystem)'
    : state === undefined ? '' : ` (state ${state})`;
  return new NumapolError('ETIMEDOUT', `thread ${tid} of pid ${pid} did not stop within ${ms} ms ${what}${why}`, {
    details: { pid, tid, state, timeoutMs: ms },
  });
}

export function isErrno(e: unknown, name: string): e is SyscallError {
  return (e as { errnoName?: unknown } | null)?.errnoName === name;
}
