/** Helpers of the process events tests: a collector to wait on, and the proc-events target. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { buildTarget } from '../targets/build.js';

export const NOT_ROOT = process.getuid?.() !== 0 ? 'the process events connector needs root (CAP_NET_ADMIN)' : false;

/** Events as they arrive, and a way to wait until some have. */
export class Collector<E> {
  readonly all: E[] = [];
  private wake: (() => void) | undefined;

  readonly push = (batch: readonly E[]): void => {
    this.all.push(...batch);
    this.wake?.();
  };

  /**
   * Resolves once `done(all)` holds. The timeout is only a bound on a failing run (it asserts
   * nothing about speed): generous, for a loaded machine.
   */
  async until(done: (all: readonly E[]) => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.all)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms (${this.all.length} events seen)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}

export interface TargetRun {
  /** The process, its thread, its child. */
  pid: number;
  tid: number;
  child: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs test/targets/proc-events.c to its end: `code` its exit status, or killed by SIGTERM. */
export async function runProcEventsTarget(code: number, kill = false): Promise<TargetRun> {
  const bin = buildTarget('proc-events');
  const child = spawn(bin, kill ? [String(code), 'kill'] : [String(code)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [exitCode, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  const tid = /^thread (\d+)$/m.exec(out);
  const grandchild = /^child (\d+)$/m.exec(out);
  if (tid === null || grandchild === null) throw new Error(`proc-events target printed ${JSON.stringify(out)}, exit ${exitCode} ${signal}`);
  return { pid: child.pid!, tid: Number(tid[1]), child: Number(grandchild[1]), exitCode, signal };
}
