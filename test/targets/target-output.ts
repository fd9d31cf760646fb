/**
 * A test target run as its own process (under a wrapper such as numactl when asked), and what it
 * prints, waited for by pattern: every target's ready line, answers and verification.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** `bin ARGS`, or `WRAP... bin ARGS`: stdin and stdout piped, stderr the test's own. */
export function spawnTarget(bin: string, args: readonly string[], wrap: readonly string[] = []): ChildProcess {
  const [cmd, ...pre] = wrap.length > 0 ? [...wrap, bin] : [bin];
  return spawn(cmd!, [...pre, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
}

export class TargetOutput {
  /** Everything the target printed so far. */
  text = '';
  private consumed = 0;
  private closed = false;
  private readonly waiters: (() => void)[] = [];

  constructor(
    readonly child: ChildProcess,
    private readonly name: string,
  ) {
    child.stdout!.on('data', (d: Buffer) => {
      this.text += d.toString();
      this.wake();
    });
    // 'close', not 'exit': a child's last lines can still be in the pipe when it has exited.
    child.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** The first match of `re` in all it printed. */
  waitFor(re: RegExp, ms: number): Promise<RegExpExecArray> {
    return this.match(re, ms, false);
  }

  /** The next match of `re` after the last one `next` took (an answer to the latest question). */
  next(re: RegExp, ms: number): Promise<RegExpExecArray> {
    return this.match(re, ms, true);
  }

  private async match(re: RegExp, ms: number, consume: boolean): Promise<RegExpExecArray> {
    const end = Date.now() + ms;
    for (;;) {
      const from = consume ? this.consumed : 0;
      const m = re.exec(this.text.slice(from));
      if (m) {
        if (consume) this.consumed = from + m.index + m[0].length;
        return m;
      }
      if (this.closed) throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}): ${this.text}`);
      if (Date.now() > end) throw new Error(`${this.name}: timed out waiting for ${re}: ${this.text}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
