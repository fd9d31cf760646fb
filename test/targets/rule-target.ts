/** Starts test/targets/rule-target.c and asks it where its memory is and whether it is intact. */
import { spawn, type ChildProcess } from 'node:child_process';
import { buildTarget } from './build.js';

export interface Placement {
  policy: string;
  nodes: Record<string, number>;
  unplaced: number;
}

export class RuleTarget {
  private out = '';
  private waiters: (() => void)[] = [];
  pid = -1;
  pages = 0;

  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => {
      this.out += d.toString();
      for (const w of this.waiters.splice(0)) w();
    });
    child.on('close', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** `rule-target WHERE MIB [wait]`, optionally under a wrapper (['numactl', '--membind=0']). */
  static async start(where: 'anon' | 'heap', mib: number, opts: { wait?: boolean; wrap?: string[] } = {}): Promise<RuleTarget> {
    const bin = buildTarget('rule-target');
    const args = [where, String(mib), ...(opts.wait ? ['wait'] : [])];
    const wrap = opts.wrap ?? [];
    const child = wrap.length > 0 ? spawn(wrap[0]!, [...wrap.slice(1), bin, ...args], { stdio: ['pipe', 'pipe', 'inherit'] }) : spawn(bin, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const t = new RuleTarget(child);
    const m = await t.line(/^ready (\d+) ([0-9a-f]+) (\d+)$/m);
    t.pid = Number(m[1]);
    t.pages = Number(m[3]) / 4096;
    return t;
  }

  private async line(re: RegExp, ms = 120_000): Promise<RegExpExecArray> {
    const end = Date.now() + ms;
    for (;;) {
      const m = re.exec(this.out);
      if (m) {
        this.out = this.out.slice(m.index + m[0].length);
        return m;
      }
      if (this.child.exitCode !== null || Date.now() > end) throw new Error(`rule-target: no ${re} in ${JSON.stringify(this.out)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  async report(): Promise<Placement> {
    this.child.stdin!.write('report\n');
    return JSON.parse((await this.line(/^\{.*\}$/m))[0]) as Placement;
  }

  async verify(): Promise<string> {
    this.child.stdin!.write('verify\n');
    return (await this.line(/^verify .*$/m))[0];
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
