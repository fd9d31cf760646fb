/** Runs a test target and reads its self-checks. */
import { spawn, type ChildProcess } from 'node:child_process';
import { after } from 'node:test';
import { buildGoTarget, buildTarget } from './build.js';

export interface ThreadReport {
  tid: number;
  kind: string;
  mode: number;
  mask: bigint;
}

export interface TargetResults {
  counters: Record<string, number>;
  threads: ThreadReport[];
}

export class Target {
  readonly pid: number;
  private out = '';
  private waiters: Array<() => void> = [];

  private constructor(readonly child: ChildProcess, pid: number, initial: string) {
    this.pid = pid;
    this.out = initial;
    child.stdout?.on('data', (d: Buffer) => {
      this.out += d.toString();
      for (const w of this.waiters.splice(0)) w();
    });
    // 'close', not 'exit': a child's last lines can still be in the pipe when it has exited.
    child.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  private closed = false;

  /** Starts `workload` (or another C target) with key=value arguments and waits for its "ready <pid>" line. */
  static start(args: string[], name = 'workload'): Promise<Target> {
    return Target.run(buildTarget(name), args);
  }

  /** The same for a Go target (test/targets/NAME.go). */
  static startGo(args: string[], name: string): Promise<Target> {
    return Target.run(buildGoTarget(name), args);
  }

  private static async run(bin: string, args: string[]): Promise<Target> {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    let buf = '';
    const pid = await new Promise<number>((resolve, reject) => {
      const onData = (d: Buffer): void => {
        buf += d.toString();
        const m = /^ready (\d+)$/m.exec(buf);
        if (m) {
          child.stdout?.off('data', onData);
          resolve(Number(m[1]));
        }
      };
      child.stdout?.on('data', onData);
      child.on('close', (code) => reject(new Error(`target exited (${code}) before ready: ${buf}`)));
    });
    return new Target(child, pid, buf);
  }

  private async waitFor(re: RegExp, ms = 10000): Promise<void> {
    const end = Date.now() + ms;
    while (!re.test(this.out)) {
      if (Date.now() > end) throw new Error(`target ${this.pid}: timed out waiting for ${re}; output so far:\n${this.out}`);
      if (this.closed && !re.test(this.out)) {
        throw new Error(`target ${this.pid} exited (${this.child.exitCode ?? this.child.signalCode}); output:\n${this.out}`);
      }
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  /** Sends one stdin command and waits for its answer (searched only in output after it). */
  async command(line: string, answer: RegExp): Promise<RegExpExecArray> {
    const from = this.out.length;
    this.child.stdin?.write(`${line}\n`);
    let m: RegExpExecArray | null = null;
    const probe = { test: (): boolean => (m = answer.exec(this.out.slice(from))) !== null, toString: () => String(answer) } as unknown as RegExp;
    await this.waitFor(probe);
    return m as unknown as RegExpExecArray;
  }

  async mark(): Promise<void> {
    this.child.stdin?.write('mark\n');
    await this.waitFor(/^marked$/m);
  }

  /** Closes stdin: every thread finishes and reports. */
  async finish(): Promise<TargetResults> {
    this.child.stdin?.end();
    await this.waitFor(/^done$/m, 20000);
    const counters: Record<string, number> = {};
    const result = /^result (.*)$/m.exec(this.out)?.[1] ?? '';
    for (const kv of result.split(' ')) {
      const [k, v] = kv.split('=');
      if (k !== undefined && v !== undefined) counters[k] = Number(v);
    }
    const threads: ThreadReport[] = [];
    for (const m of this.out.matchAll(/^thread (\d+) kind=(\S+) mode=(-?\d+) mask=([0-9a-f]+)$/gm)) {
      threads.push({ tid: Number(m[1]), kind: m[2] ?? '', mode: Number(m[3]), mask: BigInt(`0x${m[4]}`) });
    }
    return { counters, threads };
  }

  /** Everything the target printed so far. */
  output(): string {
    return this.out;
  }

  alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * For targets that die under trace: the engine may reap them (it waits for every thread),
   * so Node would never see their exit; stop tracking them.
   */
  forget(): void {
    // Closing stdin would make the target finish: only stop holding the event loop open.
    (this.child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    (this.child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    this.child.unref();
  }

  kill(): void {
    if (this.alive()) this.child.kill('SIGKILL');
  }
}

/**
 * A `start` for one test file: every target it starts is killed when the file's tests are done,
 * whatever happened in them.
 */
export function targetStarter(language: 'c' | 'go' = 'c'): (args: string[], name?: string) => Promise<Target> {
  const started: Target[] = [];
  after(() => started.forEach((t) => t.kill()));
  return async (args, name) => {
    const t = language === 'go' ? await Target.startGo(args, name ?? 'goroutines') : await Target.start(args, name);
    started.push(t);
    return t;
  };
}
