/** Starts test/targets/job-target.c (a job of processes sharing memory) and talks to it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { buildTarget } from './build.js';

export interface Region {
  readonly addr: bigint;
  readonly len: bigint;
}

export interface JobTarget {
  /** The processes, the first (the one that forked the others) first. */
  readonly pids: readonly number[];
  readonly shared: Region;
  readonly file: Region;
  readonly cow: Region;
  /** Each process's own region, by pid. */
  readonly own: ReadonlyMap<number, Region>;
  readonly child: ChildProcess;
  /** Every process checks the data it maps: "verify ok pages=N" or "verify bad ...". */
  verify(): Promise<string>;
  /** The stall probe's longest pause since the last call, in µs (the `stall` option). */
  gap(): Promise<{ maxUs: number; rounds: number }>;
  quit(): Promise<void>;
  kill(): void;
}

export interface JobTargetSpec {
  readonly processes: number;
  readonly sharedMiB: number;
  readonly fileMiB: number;
  readonly cowMiB: number;
  readonly ownMiB: number;
  /** The tmpfs file the `file` region maps. */
  readonly file: string;
  readonly options?: readonly ('bind-alternate' | 'nothp' | 'stall')[];
  /** Run under a wrapper, e.g. ['numactl', '--interleave=0,1']. */
  readonly wrap?: readonly string[];
  /** The built target under another name (its comm): a copy of buildTarget('job-target'). */
  readonly bin?: string;
}

export async function startJobTarget(spec: JobTargetSpec): Promise<JobTarget> {
  const bin = spec.bin ?? buildTarget('job-target');
  const args = [spec.processes, spec.sharedMiB, spec.fileMiB, spec.cowMiB, spec.ownMiB].map(String).concat([spec.file, ...(spec.options ?? [])]);
  const wrap = spec.wrap ?? [];
  const child = wrap.length > 0 ? spawn(wrap[0]!, [...wrap.slice(1), bin, ...args], { stdio: ['pipe', 'pipe', 'inherit'] }) : spawn(bin, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let consumed = 0;
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  let closed = false;
  child.on('close', () => {
    closed = true;
    for (const w of waiters.splice(0)) w();
  });
  /** The next match of `re` in what the target printed after the last one taken. */
  const next = async (re: RegExp, ms: number): Promise<RegExpExecArray> => {
    const end = Date.now() + ms;
    for (;;) {
      const m = re.exec(out.slice(consumed));
      if (m) {
        consumed += m.index + m[0].length;
        return m;
      }
      if (closed) throw new Error(`job-target exited (${child.exitCode ?? child.signalCode}): ${out}`);
      if (Date.now() > end) throw new Error(`job-target: timed out waiting for ${re}: ${out}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  };
  await next(/^ready$/m, 300_000);
  const region = (name: string): Region => {
    const m = new RegExp(`^region ${name} ([0-9a-f]+) (\\d+)$`, 'm').exec(out);
    if (!m) throw new Error(`job-target: no ${name} region: ${out}`);
    return { addr: BigInt(`0x${m[1]}`), len: BigInt(m[2]!) };
  };
  const own = new Map<number, Region>();
  for (const m of out.matchAll(/^member (\d+) ([0-9a-f]+) (\d+)$/gm)) own.set(Number(m[1]), { addr: BigInt(`0x${m[2]}`), len: BigInt(m[3]!) });
  return {
    pids: [...own.keys()],
    shared: region('shared'),
    file: region('file'),
    cow: region('cow'),
    own,
    child,
    async verify() {
      child.stdin!.write('verify\n');
      return (await next(/^(verify .*)$/m, 300_000))[1]!;
    },
    async gap() {
      child.stdin!.write('gap\n');
      const m = await next(/^gap max_us=(\d+) rounds=(\d+)$/m, 60_000);
      return { maxUs: Number(m[1]), rounds: Number(m[2]) };
    },
    async quit() {
      child.stdin!.write('quit\n');
      await next(/^done$/m, 60_000);
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
