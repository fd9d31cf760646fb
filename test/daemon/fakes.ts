/** A machine of pretend processes for the daemon core's unit tests: facts, start times, events. */
import type { Action } from '../../src/daemon/actions/action.js';
import type { ActionContext, ActionRun } from '../../src/daemon/actions/execute.js';
import type { DaemonFacts, EventStream, ProcEvent, ProcessSource } from '../../src/daemon/ports.js';

/** The clock of the kernel's event timestamps (CLOCK_MONOTONIC). */
export const now = (): bigint => process.hrtime.bigint();

export function facts(pid: number, over: Partial<DaemonFacts> = {}): DaemonFacts {
  return { pid, start: 1000 + pid, ppid: 1, comm: `proc${pid}`, exe: `/usr/bin/proc${pid}`, cmdline: [`proc${pid}`], uid: 0, cgroup: '/user.slice', rssBytes: 1 << 20, threads: 1, kernelThread: false, ...over };
}

export class FakeMachine implements ProcessSource {
  readonly procs = new Map<number, DaemonFacts>();
  private listener: ((e: readonly ProcEvent[]) => void) | undefined;
  private overrun: (() => void) | undefined;
  connector = true;
  readonly stats = { events: 0, overruns: 0 };

  add(f: DaemonFacts, announce: 'exec' | 'fork' | 'none' = 'exec', parent = 1): void {
    this.procs.set(f.pid, f);
    if (announce === 'fork') this.emit([{ kind: 'fork', pid: f.pid, tid: f.pid, parentPid: parent, parentTid: parent, ns: now() }]);
    if (announce === 'exec') this.emit([{ kind: 'exec', pid: f.pid, tid: f.pid, ns: now() }]);
  }

  exit(pid: number, announce = true): void {
    this.procs.delete(pid);
    if (announce) this.emit([{ kind: 'exit', pid, tid: pid, code: 0, signal: 0, ns: now() }]);
  }

  emit(evs: ProcEvent[]): void {
    this.stats.events += evs.length;
    this.listener?.(evs);
  }

  overrunNow(): void {
    this.stats.overruns++;
    this.overrun?.();
  }

  facts(pid: number): DaemonFacts | undefined {
    return this.procs.get(pid);
  }

  start(pid: number): number | undefined {
    return this.procs.get(pid)?.start;
  }

  pids(): number[] {
    return [...this.procs.keys()].sort((a, b) => a - b);
  }

  watch(onEvents: (e: readonly ProcEvent[]) => void, onOverrun: () => void): EventStream {
    if (!this.connector) throw new Error('no connector here');
    this.listener = onEvents;
    this.overrun = onOverrun;
    const stats = this.stats;
    return {
      close: () => {
        this.listener = undefined;
      },
      get stats() {
        return { ...stats };
      },
    };
  }
}

/** Records every action run; the outcome is ok unless `fail` says otherwise for that pid. */
export class FakeRunner {
  readonly runs: { pid: number; action: Action }[] = [];
  readonly undos: { pid: number; action: Action; before: unknown }[] = [];
  outcome: (pid: number, a: Action) => ActionRun['outcome'] = () => 'ok';

  run = async (pid: number, action: Action, _ctx: ActionContext): Promise<ActionRun> => {
    this.runs.push({ pid, action });
    const outcome = this.outcome(pid, action);
    return { outcome, before: { threads: [{ tid: pid, policy: 'default' }] }, result: { pid }, code: outcome === 'ok' ? null : 'EIO', error: outcome === 'ok' ? null : 'it failed' };
  };

  undo = async (pid: number, action: Action, before: unknown): Promise<{ outcome: 'ok'; result: unknown; code: null; error: null }> => {
    this.undos.push({ pid, action, before });
    return { outcome: 'ok', result: { restored: true }, code: null, error: null };
  };
}
