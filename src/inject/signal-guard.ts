/**
 * SIGINT/SIGTERM/SIGHUP/SIGQUIT must not kill numapol while target threads are stopped or run
 * injected registers. The engine is synchronous, so a JS signal handler cannot run during the
 * operation: installing listeners only replaces the default (fatal) action by libuv's handler,
 * which queues the signal. After the operation has detached, the queued signal is dispatched;
 * if nobody else listens for it, we re-raise it with the default action, so numapol still
 * dies of it with the conventional status (128 + signal number).
 */
const GUARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
type Guarded = (typeof GUARDED)[number];

let depth = 0;
const received = new Set<Guarded>();
const handlers = new Map<Guarded, () => void>();

function install(): void {
  for (const sig of GUARDED) {
    const h = (): void => {
      received.add(sig);
      if (depth === 0) flush();
    };
    handlers.set(sig, h);
    process.on(sig, h);
  }
}

function uninstall(): void {
  for (const [sig, h] of handlers) process.removeListener(sig, h);
  handlers.clear();
}

/** Re-raises a signal that arrived during an operation, when no one else handles it. */
function flush(): void {
  const pending = [...received];
  received.clear();
  uninstall();
  for (const sig of pending) {
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  }
}

/**
 * Defers fatal signals until `release` is called and the event loop has dispatched them.
 * Nested operations share one guard.
 */
export function deferSignals(): () => void {
  if (depth++ === 0 && handlers.size === 0) install();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--depth > 0) return;
    // Let libuv deliver signals queued during the synchronous work, then restore defaults.
    // Not a timer: a timer may fire before the poll phase that reads libuv's signal pipe, and
    // removing the listeners first would drop the signal. The second check phase from now
    // comes after at least one full poll phase.
    setImmediate(() => setImmediate(() => {
      if (depth === 0) flush();
    }));
  };
}

/** Signals received while an operation ran and not yet re-raised (for tests and the CLI). */
export function deferredSignals(): readonly string[] {
  return [...received];
}
