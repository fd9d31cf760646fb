/** The calling process itself: its thread id, and replacing its image (`numapol run`). */
import { check } from './check.js';
import { libcFunc } from './ffi.js';
import { syscall } from './syscall.js';

/** The calling thread's kernel thread id (the main thread's equals the pid). */
export function gettid(): number {
  return Number(syscall('gettid'));
}

const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const FD_CLOEXEC = 1;
const O_NONBLOCK = 0o4000;
const SIGPIPE = 13;
const SIGXFSZ = 25;
const SIG_DFL = 0n;

type Fcntl = (fd: number, cmd: number, argType: 'int', arg: number) => number;
type Signal = (sig: number, handler: bigint) => number | bigint;
type Execvpe = (file: string, argv: (string | null)[], envp: (string | null)[]) => number;

/**
 * Node leaves marks on the process that an exec'd program would inherit: stdio descriptors
 * with FD_CLOEXEC (the program would start with 0-2 closed), non-blocking stdio pipes, and
 * SIGPIPE/SIGXFSZ ignored (`yes | head` would spin on EPIPE instead of dying). Undoes them and
 * returns how to put them back if the exec fails.
 */
function undoNodeProcessState(): () => void {
  const fcntl = libcFunc<Fcntl>('int fcntl(int, int, ...)');
  const signal = libcFunc<Signal>('uintptr_t signal(int, uintptr_t)');
  const restores: (() => void)[] = [];
  for (const fd of [0, 1, 2]) {
    const fdFlags = fcntl(fd, F_GETFD, 'int', 0);
    if (fdFlags >= 0 && (fdFlags & FD_CLOEXEC) !== 0) {
      fcntl(fd, F_SETFD, 'int', fdFlags & ~FD_CLOEXEC);
      restores.push(() => fcntl(fd, F_SETFD, 'int', fdFlags));
    }
    const flFlags = fcntl(fd, F_GETFL, 'int', 0);
    if (flFlags >= 0 && (flFlags & O_NONBLOCK) !== 0) {
      fcntl(fd, F_SETFL, 'int', flFlags & ~O_NONBLOCK);
      restores.push(() => fcntl(fd, F_SETFL, 'int', flFlags));
    }
  }
  for (const sig of [SIGPIPE, SIGXFSZ]) {
    const old = BigInt(signal(sig, SIG_DFL));
    restores.push(() => signal(sig, old));
  }
  return () => {
    for (const restore of restores.reverse()) restore();
  };
}

/**
 * Replaces the current process image with `file` (searched in PATH when it has no '/'), run
 * with `argv` (argv[0] included) and `env` (default: this process's environment). The pid stays
 * the same, so a policy set on this thread and the process's pid carry over to the program.
 * Returns only by throwing SyscallError('execve', ...) when the exec fails.
 */
export function execvp(file: string, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): never {
  const execvpe = libcFunc<Execvpe>('int execvpe(const char *file, const char **argv, const char **envp)');
  const envp: (string | null)[] = [];
  for (const [k, v] of Object.entries(env)) if (v !== undefined) envp.push(`${k}=${v}`);
  envp.push(null);
  const restore = undoNodeProcessState();
  try {
    check('execve', () => execvpe(file, [...argv, null], envp), file);
  } finally {
    restore();
  }
  // execvpe returns only on failure, and check() has thrown for that.
  throw new Error('execvpe returned without an error');
}
