/** Starts test/targets/migrate-writer.c and talks to it: ready line, stop, verification. */
import type { ChildProcess } from 'node:child_process';
import { buildTarget } from './build.js';
import { spawnTarget, TargetOutput } from './target-output.js';

export interface Writer {
  readonly pid: number;
  readonly addr: bigint;
  readonly len: bigint;
  readonly child: ChildProcess;
  /** Stops the writer thread and returns its verification line ("verify ok ..." or "verify bad ..."). */
  stop(): Promise<string>;
  kill(): void;
}

/**
 * Runs `migrate-writer KIND MIB [FILE]`, optionally under a wrapper command (e.g. ['numactl',
 * '--preferred=0']), and waits for its ready line.
 */
export async function startWriter(kind: string, mib: number, opts: { file?: string; wrap?: string[]; name?: string } = {}): Promise<Writer> {
  const bin = buildTarget(opts.name ?? 'migrate-writer');
  const args = [kind, String(mib), ...(opts.file === undefined ? [] : [opts.file])];
  const child = spawnTarget(bin, args, opts.wrap);
  const output = new TargetOutput(child, 'migrate-writer');
  const m = await output.waitFor(/^ready (\d+) ([0-9a-f]+) (\d+)$/m, 120_000);
  return {
    pid: Number(m[1]),
    addr: BigInt(`0x${m[2]}`),
    len: BigInt(m[3]!),
    child,
    async stop() {
      child.stdin!.write('stop\n');
      const v = await output.waitFor(/^(verify .*)$/m, 120_000);
      await output.waitFor(/^done$/m, 30_000);
      return v[1]!;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
