/**
 * Processes starting, exec'ing, renaming themselves and ending, as they happen: the kernel's
 * process events connector as a stream of typed events. Pids here are the user's: `pid` is the
 * process (the kernel's tgid), `tid` the thread (the kernel's pid).
 */
import { NumapolError } from '../../errors.js';
import type { ProcConnectorEvent } from '../../kernel/proc-connector.js';
import { readProcConnector, type ProcConnectorReader } from '../../kernel/proc-connector-reader.js';
import { SyscallError } from '../../kernel/syscall-error.js';

/**
 * `ns`: when the kernel sent the event, CLOCK_MONOTONIC nanoseconds (the clock of
 * process.hrtime.bigint()): a reader of /proc can tell whether what it read came after the event.
 */
export type ProcEvent =
  /**
   * A new task. For a new thread (tid !== pid) the parent is the parent of its process, not the
   * thread that made it: the kernel reports task->real_parent.
   */
  | { kind: 'fork'; pid: number; tid: number; parentPid: number; parentTid: number; ns: bigint }
  /** Sent once the new program is in place: /proc read after `ns` shows it. */
  | { kind: 'exec'; pid: number; tid: number; ns: bigint }
  /** The task renamed itself (prctl PR_SET_NAME, a write to /proc/PID/comm); the new name. */
  | { kind: 'comm'; pid: number; tid: number; comm: string; ns: bigint }
  /**
   * A task ended; the process ended when tid === pid. `code` is the exit status (0-255) when it
   * exited, `signal` the signal that killed it (0 when it exited), as waitpid tells them apart.
   */
  | { kind: 'exit'; pid: number; tid: number; code: number; signal: number; ns: bigint };

export interface ProcEventStream {
  /** Stops the events: none is delivered after close() returns. Idempotent. */
  close(): void;
  /** Events delivered so far, and overruns reported. */
  readonly stats: { events: number; overruns: number };
}

export interface WatchProcEventsOptions {
  /** Socket receive buffer to ask for, bytes (default 8 MiB: ~20,000 events). */
  receiveBuffer?: number;
  /**
   * The socket failed after it opened (not an overrun): the stream has closed. Without a
   * handler the error is thrown from the event loop, as an uncaught exception.
   */
  onError?: (error: NumapolError) => void;
}

/**
 * Watches every process on the machine. `onEvents` gets each batch read at one wake-up, in the
 * order the kernel queued them; `onOverrun` is called when the kernel had to drop events (its
 * queue for us was full), after the batch read with it: what the caller knows may be stale and
 * it should look at /proc again. Throws NumapolError('ENOCONNECTOR') when the connector cannot
 * be opened.
 *
 * An exec brings no comm event: the new name is read from /proc. A handler that throws does not
 * stop the stream (the exception reaches the event loop as uncaught). Each open stream keeps one
 * of libuv's four pool threads blocked in recv (kernel/proc-connector-reader.ts): a process
 * wants one stream, which it shares.
 */
export function watchProcEvents(
  onEvents: (events: ProcEvent[]) => void,
  onOverrun: () => void,
  opts: WatchProcEventsOptions = {},
): ProcEventStream {
  const stats = { events: 0, overruns: 0 };
  let closed = false;
  let reader: ProcConnectorReader;
  try {
    reader = readProcConnector(
      {
        onEvents(raw) {
          if (closed) return;
          const events = toProcEvents(raw);
          if (events.length === 0) return;
          stats.events += events.length;
          onEvents(events);
        },
        onOverrun() {
          if (closed) return;
          stats.overruns++;
          onOverrun();
        },
        onError(error) {
          if (closed) return;
          closed = true;
          const e = new NumapolError('EPROCEVENTS', `process events stopped: ${error.message}`, { cause: error });
          if (opts.onError === undefined) throw e;
          opts.onError(e);
        },
      },
      opts.receiveBuffer === undefined ? {} : { receiveBuffer: opts.receiveBuffer },
    );
  } catch (e) {
    throw connectorError(e);
  }
  return {
    close() {
      closed = true;
      reader.close();
    },
    get stats() {
      return { ...stats };
    },
  };
}

/** The events the stream reports, from the connector's (uid, gid, sid, ptrace, coredump and acks are left out). */
export function toProcEvents(raw: readonly ProcConnectorEvent[]): ProcEvent[] {
  const out: ProcEvent[] = [];
  for (const e of raw) {
    switch (e.what) {
      case 'fork':
        out.push({ kind: 'fork', pid: e.childTgid, tid: e.childPid, parentPid: e.parentTgid, parentTid: e.parentPid, ns: e.timestampNs });
        break;
      case 'exec':
        out.push({ kind: 'exec', pid: e.processTgid, tid: e.processPid, ns: e.timestampNs });
        break;
      case 'comm':
        out.push({ kind: 'comm', pid: e.processTgid, tid: e.processPid, comm: e.comm, ns: e.timestampNs });
        break;
      case 'exit': {
        const signal = e.exitCode & 0x7f;
        out.push({ kind: 'exit', pid: e.processTgid, tid: e.processPid, code: signal === 0 ? (e.exitCode >> 8) & 0xff : 0, signal, ns: e.timestampNs });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

const HOW_TO_FIX: Readonly<Record<string, string>> = {
  EPROTONOSUPPORT: 'this kernel has no process events connector: it needs CONFIG_CONNECTOR=y and CONFIG_PROC_EVENTS=y',
  EAFNOSUPPORT: 'this kernel has no netlink sockets',
  EPERM: 'watching processes needs CAP_NET_ADMIN: run numapol daemon as root',
  EACCES: 'a security module (SELinux, AppArmor, a seccomp filter) forbids netlink sockets here',
  ECONNREFUSED:
    "the process events connector exists only in the initial network namespace: run numapol daemon in the host's network namespace (no private network in its container or systemd unit)",
  ENOACK:
    'the kernel ignored the request to listen: numapol daemon must run in the initial user and PID namespaces (not in a container), on a kernel with CONFIG_PROC_EVENTS=y',
};

/** Why the connector could not be opened, said so that the user can act. */
function connectorError(e: unknown): unknown {
  if (!(e instanceof NumapolError)) return e;
  const reason = e instanceof SyscallError ? e.errnoName : e.code;
  const fix = HOW_TO_FIX[reason] ?? e.message;
  return new NumapolError('ENOCONNECTOR', `cannot watch processes: ${fix}`, { cause: e, details: { reason } });
}
