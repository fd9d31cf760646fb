/**
 * Work that must not overlap runs in a lane, one job after the other, in the order given. The
 * daemon has two: one for operations that stop a process (ptrace: one tracer thread, and each
 * stop is felt by the target), one for page moves (so that the global migrate-rate budget holds
 * for all of them together: moves never run side by side).
 */
export class SerialLane {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private running = false;
  private closed = false;

  /** Jobs queued and not yet started. */
  get queued(): number {
    return this.waiting;
  }

  get busy(): boolean {
    return this.running;
  }

  /** Runs `job` after every job queued before it; rejects when the lane was closed before it started. */
  run<T>(job: () => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new LaneClosedError());
    this.waiting++;
    const next = this.tail.then(async () => {
      this.waiting--;
      if (this.closed) throw new LaneClosedError();
      this.running = true;
      try {
        return await job();
      } finally {
        this.running = false;
      }
    });
    // A failed job must not stop the ones after it.
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Refuses new jobs and drops queued ones; resolves when the job in flight (if any) has ended. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
  }
}

export class LaneClosedError extends Error {
  constructor() {
    super('the daemon is shutting down');
    this.name = 'LaneClosedError';
  }
}
