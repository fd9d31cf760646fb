/** Starts test/targets/rule-target.c and asks it where its memory is and whether it is intact. */
import type { ChildProcess } from 'node:child_process';
import { buildTarget } from './build.js';
import { spawnTarget, TargetOutput } from './target-output.js';

export interface Placement {
  policy: string;
  nodes: Record<string, number>;
  unplaced: number;
}

export class RuleTarget {
  private readonly output: TargetOutput;
  pid = -1;
  pages = 0;

  private constructor(readonly child: ChildProcess) {
    this.output = new TargetOutput(child, 'rule-target');
  }

  /** `rule-target WHERE MIB [wait]`, optionally under a wrapper (['numactl', '--membind=0']). */
  static async start(where: 'anon' | 'heap', mib: number, opts: { wait?: boolean; wrap?: string[] } = {}): Promise<RuleTarget> {
    const args = [where, String(mib), ...(opts.wait ? ['wait'] : [])];
    const t = new RuleTarget(spawnTarget(buildTarget('rule-target'), args, opts.wrap));
    const m = await t.line(/^ready (\d+) ([0-9a-f]+) (\d+)$/m);
    t.pid = Number(m[1]);
    t.pages = Number(m[3]) / 4096;
    return t;
  }

  private line(re: RegExp, ms = 120_000): Promise<RegExpExecArray> {
    return this.output.next(re, ms);
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
