/** Starts test/targets/job-target.c (a job of processes sharing memory) and talks to it. */
import type { ChildProcess } from 'node:child_process';
import { queryPageNodes } from '../../src/kernel/index.js';
import { buildTarget } from './build.js';
import { spawnTarget, TargetOutput } from './target-output.js';

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
  const child = spawnTarget(bin, args, spec.wrap);
  const output = new TargetOutput(child, 'job-target');
  await output.next(/^ready$/m, 300_000);
  const region = (name: string): Region => {
    const m = new RegExp(`^region ${name} ([0-9a-f]+) (\\d+)$`, 'm').exec(output.text);
    if (!m) throw new Error(`job-target: no ${name} region: ${output.text}`);
    return { addr: BigInt(`0x${m[1]}`), len: BigInt(m[2]!) };
  };
  const own = new Map<number, Region>();
  for (const m of output.text.matchAll(/^member (\d+) ([0-9a-f]+) (\d+)$/gm)) own.set(Number(m[1]), { addr: BigInt(`0x${m[2]}`), len: BigInt(m[3]!) });
  return {
    pids: [...own.keys()],
    shared: region('shared'),
    file: region('file'),
    cow: region('cow'),
    own,
    child,
    async verify() {
      child.stdin!.write('verify\n');
      return (await output.next(/^(verify .*)$/m, 300_000))[1]!;
    },
    async gap() {
      child.stdin!.write('gap\n');
      const m = await output.next(/^gap max_us=(\d+) rounds=(\d+)$/m, 60_000);
      return { maxUs: Number(m[1]), rounds: Number(m[2]) };
    },
    async quit() {
      child.stdin!.write('quit\n');
      await output.next(/^done$/m, 60_000);
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

const PAGE = 4096;

/** Node of every page of `r` in `pid` (negative: -errno). */
export function nodesOf(pid: number, r: Region): Int32Array {
  const n = Number(r.len) / PAGE;
  return queryPageNodes(pid, BigUint64Array.from({ length: n }, (_, i) => r.addr + BigInt(i * PAGE)));
}

/** Every region of the job as [pid, name, region]: the shared ones once (as the first process maps them). */
export function jobRegions(t: JobTarget): [number, string, Region][] {
  const first = t.pids[0]!;
  return [[first, 'shared', t.shared], [first, 'file', t.file], [first, 'cow', t.cow], ...t.pids.map((pid) => [pid, `own ${pid}`, t.own.get(pid)!] as [number, string, Region])];
}

/** The node of every page of every region, by region name. */
export function jobPlacement(t: JobTarget): Map<string, Int32Array> {
  return new Map(jobRegions(t).map(([pid, name, r]) => [name, nodesOf(pid, r)]));
}

/** Pages not on the node `want` gives for the node they were on in `before`, counted and by region. */
export function pagesOffTarget(t: JobTarget, before: Map<string, Int32Array>, want: (n: number) => number): { wrong: number; where: string } {
  const now = jobPlacement(t);
  let wrong = 0;
  const where: string[] = [];
  for (const [name, b] of before) {
    const a = now.get(name)!;
    let w = 0;
    b.forEach((n, i) => {
      if (a[i] !== want(n)) w++;
    });
    if (w > 0) where.push(`${name}: ${w}`);
    wrong += w;
  }
  return { wrong, where: where.join(', ') };
}
